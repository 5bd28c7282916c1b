import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => {
  cleanup();
  // The "a session may exist" marker (api/client.ts) must not leak between tests.
  localStorage.clear();
  window.history.replaceState(null, '', '/');
});
