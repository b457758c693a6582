/**
 * `npm run bench:embedder -- [--json] [--runs N] [--build]`: figures for the offline SIF embedder (see
 * src/measure/embedder-bench.ts). Argument parsing and printing only.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Option } from 'commander';
import { loadConfig } from '../src/config.js';
import { measureEmbedder, timeLoad, type LoadRun } from '../src/measure/embedder-bench.js';
import { command, notice, parseArguments, runCli, wholeNumber } from './cli.js';

/** This script again with --child-load: a load timed in a process of its own. */
async function loadInFreshProcess(cacheDir: string): Promise<LoadRun> {
  const self = fileURLToPath(import.meta.url);
  // The TypeScript source (a build older than the source) needs tsx; the compiled copy in dist/ does not.
  const loader = self.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const { stdout } = await promisify(execFile)(process.execPath, [...loader, self, '--child-load', cacheDir], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as LoadRun;
}

await runCli(async () => {
  const program = command('bench:embedder', 'Measure the offline SIF embedder: cache build and load, RSS, throughput.')
    .option('--json', 'print exactly one JSON object')
    .option('--build', 'also time a cache build from the package JSON, into a temporary directory')
    .option('--runs <n>', 'child processes to time loading in', wholeNumber, 5)
    .addOption(new Option('--child-load <dir>').hideHelp());
  const exit = parseArguments(program);
  if (exit !== null) return exit;
  const opts = program.opts<{ json?: boolean; build?: boolean; runs: number; childLoad?: string }>();
  if (opts.childLoad) return void console.log(JSON.stringify(await timeLoad(opts.childLoad)));

  const result = await measureEmbedder({ config: loadConfig(), runs: opts.runs, build: !!opts.build, loadInFreshProcess, onNotice: notice });
  if (opts.json) return void console.log(JSON.stringify(result));
  const rows: Array<[string, string]> = [
    ['embedder', result.embedder],
    ['cache build', result.cacheBuildMs !== null ? `${result.cacheBuildMs} ms (peak RSS ${result.cacheBuildPeakRssMB} MB)` : 'not built (use --build to time one)'],
    [`cache load (median of ${result.cacheLoadMsRuns.length} processes)`, `${result.cacheLoadMsMedian} ms  [${result.cacheLoadMsRuns.join(', ')}]`],
    ['RSS after load (child)', `${result.rssAfterLoadMB} MB`],
    [`embed throughput (${result.corpusSentences} corpus sentences)`, `${result.embedSentencesPerSecond.toLocaleString('en')} sentences/s`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
});
