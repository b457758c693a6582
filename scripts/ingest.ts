/** `npm run ingest`: the admins' re-ingest. Cleans, chunks, embeds and indexes CORPUS_DIR into INDEX_DIR. */
import cliProgress from 'cli-progress';
import { loadConfig } from '../src/config.js';
import { Engine } from '../src/rag/engine.js';
import { oneLine, type IngestProgress, type IngestReport } from '../src/rag/types.js';
import { command, notice, parseArguments, runCli, stopOnSignals } from './cli.js';

function printSummary(report: IngestReport): void {
  for (const line of report.repaired ?? []) console.log(oneLine(`repaired  ${line}`));
  for (const d of report.documents) {
    const placeholders = d.placeholders.length ? `, placeholders: ${d.placeholders.map((p) => p.text).join(', ')}` : '';
    console.log(oneLine(`${d.status.padEnd(9)} ${d.source}${d.title ? ` — “${d.title}”` : ''} (${d.chunks} chunks${placeholders})${d.warning ? `: ${d.warning}` : ''}`));
  }
  const count = (s: string) => report.documents.filter((d) => d.status === s).length;
  const placeholders = report.documents.reduce((n, d) => n + d.placeholders.length, 0);
  if (report.stories.length) console.log(`\nCopies of one story (cited once in answers, the first named first):`);
  for (const story of report.stories) console.log(oneLine(`  ${story.id}: ${story.documents.join(', ')}`));
  console.log(
    `\n${count('indexed') + count('unchanged')} documents (${count('indexed')} indexed, ${count('unchanged')} unchanged), ` +
      `${report.chunks} chunks, ${placeholders} placeholders, ${report.stories.length} stories told by several copies, ` +
      `${count('skipped')} skipped, ${count('removed')} removed, in ${report.ms} ms`,
  );
}

/** A progress bar on a terminal; plain lines when the output is a log or a pipe. */
function progressReporter(): { update: (p: IngestProgress) => void; stop: () => void } {
  if (!process.stderr.isTTY) {
    return { update: (p) => p.source && notice(oneLine(`[${p.done + 1}/${p.total}] ${p.source}`)), stop: () => undefined };
  }
  const bar = new cliProgress.SingleBar({ format: '{bar} {value}/{total} {stage} {source}', stream: process.stderr, clearOnComplete: true }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    update: (p) => {
      if (!started) bar.start(p.total, 0, { stage: p.stage, source: '' });
      started = true;
      bar.setTotal(p.total);
      bar.update(p.done, { stage: p.stage, source: p.source ?? '' });
    },
    stop: () => started && bar.stop(),
  };
}

await runCli(async () => {
  const program = command('ingest', 'Re-ingest the corpus: clean, chunk, embed and index every file in CORPUS_DIR.')
    .option('--json', 'print exactly one JSON object with the report');
  const exit = parseArguments(program);
  if (exit !== null) return exit;
  const { json } = program.opts<{ json?: boolean }>();
  const config = loadConfig();
  const progress = progressReporter();
  const stopping = stopOnSignals();
  const report = await Engine.ingest(config, { onNotice: notice, onProgress: progress.update, signal: stopping.signal }).finally(progress.stop);
  if (json) console.log(JSON.stringify(report));
  else printSummary(report);
});
