/**
 * `npm run bench:hostile [--ingest] [--json]`: how long each hostile file (issue 20) and a 5 MB one-table page take to
 * read in the file worker, whether they are skipped and why; with --ingest, an ingest of the seed articles with each
 * dropped in, and how long an ingest takes to stop when asked while a file is being read.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { hostileFiles, tablePage, timeHostileFiles, timeHostileIngests, timeStop } from '../src/measure/hostile-files.js';
import { command, notice, parseArguments, runCli, table } from './cli.js';

await runCli(async () => {
  const program = command('bench:hostile', 'Time hostile markdown and HTML files through the bounded file reader, and ingests with them.')
    .option('--ingest', 'also time an ingest of the seed articles with each file, and a stop during one')
    .option('--json', 'print one JSON object');
  const exit = parseArguments(program);
  if (exit !== null) return exit;
  const options = program.opts<{ ingest?: boolean; json?: boolean }>();
  const files = [...hostileFiles(), { name: 'one-table-5mb.html', text: tablePage(5 * 1024 * 1024 - 4096) }];
  const reading = await timeHostileFiles(files);
  const config = loadConfig();
  const work = await mkdtemp(join(tmpdir(), 'bench-hostile-'));
  try {
    const ingests = options.ingest ? await timeHostileIngests(files, config.corpusDir, work, config) : [];
    let stopMs: number | undefined;
    if (options.ingest) {
      const corpusDir = join(work, 'corpus-0');
      await writeFile(join(corpusDir, 'one-table-5mb.html'), files.at(-1)!.text);
      notice('timing a stop 3 s into an ingest busy reading a 5 MB page…');
      stopMs = await timeStop({ ...config, corpusDir, indexDir: join(work, 'stop-index') }, 3000);
    }
    if (options.json) return void console.log(JSON.stringify({ reading, ingests, stopMs }));
    console.log(table([['file', 'bytes', 'read ms', 'outcome'], ...reading.map((r) => [r.file, String(r.bytes), String(r.ms), r.outcome])]));
    if (ingests.length) {
      console.log(`\ningest of the ${ingests[0]!.indexed} seed articles with each file dropped in:`);
      console.log(table([['file', 'ingest ms', 'outcome'], ...ingests.map((r) => [r.file, String(r.ms), r.outcome])]));
      console.log(`\nstop requested while reading the 5 MB page: ingest ended ${stopMs} ms later`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
