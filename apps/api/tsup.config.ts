import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    server: 'src/server.ts',
    cli: 'src/cli.ts',
    bench: 'src/bench/bench.ts',
    'kite-process': 'src/bench/kite-process.ts',
    'floor-process': 'src/bench/floor-process.ts',
    index: 'src/index.ts',
    'make-pglite-template': 'src/make-pglite-template.ts',
  },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: true,
  splitting: true,
  // Bundle workspace packages so the built app never loads a .ts file at runtime.
  noExternal: [/^@openalgo\//],
  // A migrated empty embedded database, so a first start skips initdb.
  onSuccess: 'node dist/make-pglite-template.js',
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
