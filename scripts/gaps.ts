/**
 * `npm run gaps -- [--since 7d] [--json]`: the questions the corpus could not answer (not found, or 👎 in Discord),
 * grouped by subject, most frequent first, with the closest documents. Argument parsing and printing only.
 */
import { loadConfig } from '../src/config.js';
import { GapLog, gapReport, sinceDate, type GapGroup } from '../src/gap-report.js';
import { Engine } from '../src/rag/engine.js';
import { command, notice, parseArguments, runCli } from './cli.js';

function printGroups(groups: GapGroup[], span: string, log: string): void {
  if (!groups.length) {
    console.log(`Nothing went unanswered in the last ${span} (${log}).`);
    return;
  }
  const total = groups.reduce((n, g) => n + g.count, 0);
  console.log(`Unanswered in the last ${span}: ${total} (not found or 👎) in ${groups.length} groups, most frequent first.\n`);
  for (const g of groups) {
    console.log(`${g.terms.join(', ') || '(no key terms)'} — ${g.count}× (${g.notFound} not found, ${g.thumbsDown} 👎)`);
    for (const q of g.questions) console.log(`  ${q.count}× ${q.question}${q.reasons.length ? ` — 👎 “${q.reasons.join('”, “')}”` : ''}`);
    for (const d of g.documents) console.log(`  closest: ${d.title} (${d.source})`);
    console.log('');
  }
  console.log('Add documents on these subjects to the corpus, then npm run ingest (or /reindex).');
}

await runCli(async () => {
  const program = command('gaps', 'List the questions the corpus could not answer, grouped by subject, with the closest documents.')
    .option('--since <span>', 'how far back: 30m, 24h, 7d, 2w', '7d')
    .option('--json', 'print one JSON object');
  const exit = parseArguments(program);
  if (exit !== null) return exit;
  const options = program.opts<{ since: string; json?: boolean }>();
  const since = sinceDate(options.since);
  const config = loadConfig();
  const log = new GapLog(config.dataDir);
  const records = await log.read(since);
  const groups = records.length ? await gapReport(await Engine.open(config, { autoIngest: true, onNotice: notice }), records) : [];
  if (options.json) console.log(JSON.stringify({ since: since.toISOString(), records: records.length, groups }));
  else printGroups(groups, options.since, log.path);
});
