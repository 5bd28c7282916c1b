/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Base URL of the JSON API; defaults to the same-origin `/api`. See .env.example. */
  readonly VITE_API_BASE?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
