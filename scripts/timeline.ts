/** `npm run timeline -- "subject" [--since DATE] [--until DATE] [--json]`: dated events in order. Arguments and printing only. */
import { loadConfig } from '../src/config.js';
import { InvalidQuestionError } from '../src/rag/errors.js';
import { oneLine, type Citation, type TimelineEvent } from '../src/rag/types.js';
import { command, openEngine, parseArguments, runCli } from './cli.js';

/** Where an event's date comes from, as a reader needs to know it. */
function dateNote(e: TimelineEvent): string {
  if (e.dateFrom === 'document') return "the article's date";
  if (e.year === 'publication') return "year from the article's date";
  if (e.year === 'inferred') return "year inferred from the article's other dates: it is undated";
  return 'in the text';
}

const cited = (c: Citation) => `[${c.n}] ${c.source}${c.paragraph ? `, ¶ ${c.paragraph}` : ''}`;

await runCli(async () => {
  const program = command('timeline', 'Dated events about a subject, in date order, each quoted and cited.')
    .argument('[subject...]', 'what the timeline is about, e.g. "Lavrov Africa meetings"')
    .option('--since <date>', 'leave out events before this date (2023, 2023-02 or 2023-02-07)')
    .option('--until <date>', 'leave out events after this date')
    .option('--json', 'print one JSON object: {subject, events: [{date, precision, text, citations}]}');
  const exit = parseArguments(program);
  if (exit !== null) return exit;
  const o = program.opts<{ since?: string; until?: string; json?: boolean }>();
  const subject = program.args.join(' ');
  if (!subject.trim()) throw new InvalidQuestionError('the subject is empty (usage: npm run timeline -- "Russia and Mali")');
  const engine = await openEngine(loadConfig());
  const timeline = await engine.timeline({ subject, ...(o.since ? { since: o.since } : {}), ...(o.until ? { until: o.until } : {}) });
  if (o.json) return void console.log(JSON.stringify(timeline));
  const count = timeline.events.length;
  console.log(oneLine(`Timeline: ${timeline.subject} (${count} event${count === 1 ? '' : 's'})`));
  if (!count) console.log('No dated event about this subject in the corpus.');
  for (const e of timeline.events) {
    const [first, ...copies] = e.citations;
    const also = copies.length ? `; also ${copies.map(cited).join(', ')}` : '';
    console.log(`\n${oneLine(`${e.date.padEnd(10)}  “${e.text}” ${cited(first!)}${also} (${dateNote(e)})`)}`);
    for (const other of e.otherDates ?? []) console.log(oneLine(`            ⚠ another copy dates this ${other.date}: ${cited(other.citation)}`));
  }
  if (timeline.undated.length) {
    console.log('\nAbout the subject but undated (neither the text nor the document gives a date):');
    for (const c of timeline.undated) console.log(oneLine(`  “${c.quote}” ${cited(c)}`));
  }
});
