// Bundles the browser pages (web/src) into web/dist with esbuild: `npm run build:web`, run before
// `npm start` (prestart) and by the test setup, so the served files always match the sources.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.dirname(fileURLToPath(import.meta.url));

/** Builds dashboard, queue and explorer bundles (JS + CSS + source maps); returns "name size" lines. */
export async function buildWeb(): Promise<string[]> {
  const result = await esbuild.build({
    entryPoints: { dashboard: 'src/dashboard.ts', queue: 'src/queue.ts', explorer: 'src/explorer.ts' },
    absWorkingDir: root,
    outdir: 'dist',
    bundle: true,
    format: 'esm',
    minify: true,
    sourcemap: true,
    target: ['chrome110', 'firefox110', 'safari16'],
    // React reads NODE_ENV to pick its production build.
    define: { 'process.env.NODE_ENV': '"production"' },
    loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.svg': 'file' },
    logLevel: 'warning',
    metafile: true,
  });
  return Object.entries(result.metafile.outputs)
    .filter(([file]) => !file.endsWith('.map'))
    .map(([file, out]) => `${path.basename(file)} ${(out.bytes / 1024).toFixed(0)} KiB`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`web: built ${(await buildWeb()).join(', ')}`);
}
