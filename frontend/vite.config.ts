/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The local API gateway (infra/gateway) listens here and serves /api.
const API_TARGET = 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      // Keep the Host header as-is (no changeOrigin) so the refresh cookie
      // (Path=/api/auth) is scoped to the dev origin the browser sees.
      '/api': { target: API_TARGET },
    },
  },
  preview: {
    proxy: {
      '/api': { target: API_TARGET },
    },
  },
  build: {
    // Vite's default output names are content-hashed (assets/[name]-[hash].js),
    // which lets the gateway cache /assets/* forever. No source maps in prod.
    sourcemap: false,
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
  },
});
