import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The SPA builds to static files (`dist/`): the api serves them in the embedded start, and any
 * static host can serve them on their own (set the API base URL, see src/config.ts).
 */
const apiTarget = 'http://127.0.0.1:5000';

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: {
      '/api': apiTarget,
      '/web': { target: apiTarget, ws: true },
      '/health': apiTarget,
    },
  },
  build: {
    outDir: 'dist',
    sourcemap: true,
    target: 'es2022',
    // The budget is enforced by scripts/check-bundle-size.mjs on the gzipped initial JS.
    chunkSizeWarningLimit: 600,
  },
});
