// `npm run build` (also run by `npm ci`, as the `prepare` script): bundles each command's entry point into dist/ with
// esbuild, so that starting a command reads a few files instead of resolving and compiling some 450 modules one by
// one (LangChain's vector-store classes alone are about 260 files, half a second to load unbundled). The entry points
// are the ones package.json runs through scripts/launch.mjs, plus the bot, the two workers and the module the file
// workers load; code they share goes into chunks under dist/chunks/, and a module imported with `await import()` (the
// HTML and markdown readers, Chroma, the language-model path) stays in a chunk of its own that loads only when used.
//
// `node scripts/build.mjs [OUTDIR]` writes elsewhere (the bundle test builds into a folder of its own).
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
const outdir = resolve(root, process.argv[2] ?? 'dist');

/** Every `node scripts/launch.mjs <entry>` of package.json: the commands a user runs. */
function launchedEntries() {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return Object.values(scripts).flatMap((line) => [...line.matchAll(/scripts\/launch\.mjs\s+(\S+\.ts)/g)].map((m) => m[1]));
}

/**
 * Packages left to Node's own loader rather than bundled: native addons (hnswlib-node; chromadb loads a native server
 * binding), packages that start workers or find files beside their own code (pino's transports, discord.js's
 * sharding), and the language-model providers, which `langchain` imports by name at run time.
 */
const EXTERNAL = ['hnswlib-node', 'chromadb', 'pino', 'discord.js', '@langchain/openai', '@langchain/ollama'];

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  // The workers (the ingest's, and the one that reads each file) are entries of their own so that their code always
  // lands in a chunk, never inside a command's file: a worker thread runs the file its code is in (worker-entry.ts).
  // So is the module every file worker of an ingest loads by its URL (search/document-work.ts): as an entry its
  // `extend`, which no other module imports, is kept and exported from the chunk its code is in.
  entryPoints: [...new Set([...launchedEntries(), 'src/rag/ingest-worker.ts', 'src/rag/ingest/file-worker.ts', 'src/rag/search/document-work.ts'])],
  outdir,
  outbase: root,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // esbuild's tables hold Node 20 unable to read \p{…} in a regular expression literal (it can: \p{L}, \p{N}, \p{Lu}
  // are all this code uses), so every such literal became `new RegExp(…)`, built again at each call, as in the word
  // analysis's per-token callbacks (the BBC archive's ingest took 4.99 s with them, 4.73 s without).
  supported: { 'regexp-unicode-property-escapes': true },
  chunkNames: 'chunks/[name]-[hash]',
  external: EXTERNAL,
  // CommonJS packages inside an ES module bundle call require() for Node's built-ins.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  logLevel: 'warning',
  // Less for V8 to scan at every start; names are kept, and --debug maps stack traces to the sources.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
});
