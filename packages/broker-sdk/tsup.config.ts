import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'http/index': 'src/http/index.ts',
    'ws/index': 'src/ws/index.ts',
    'symbols/index': 'src/symbols/index.ts',
    'testkit/index': 'src/testkit/index.ts',
  },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: true,
  sourcemap: true,
  clean: true,
  // The testkit runs inside the consumer's vitest: never bundle it.
  external: ['vitest', 'undici', 'ws', 'zod', '@openalgo/shared-types'],
});
