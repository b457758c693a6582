/** `npx tsx scripts/bench-sentences.ts [--json]`: sentence splitting time on large and awkward texts. */
import { measureSplitting, sentenceTexts } from '../src/measure/sentence-split.js';
import { command, parseArguments, runCli, table } from './cli.js';

await runCli(async () => {
  const program = command('bench:sentences', 'Time sentence splitting on texts from 100 KB to 5 MB.').option('--json', 'print one JSON object');
  const exit = parseArguments(program);
  if (exit !== null) return exit;
  const results = sentenceTexts().map(({ name, text }) => measureSplitting(name, text));
  if (program.opts().json) {
    console.log(JSON.stringify({ results }));
    return;
  }
  console.log(
    table(
      [['text', 'bytes', 'sentences', 'ms', 'MB/s'], ...results.map((r) => [r.text, String(r.bytes), String(r.sentences), String(r.ms), String(r.mbPerSecond)])],
      { figures: true },
    ),
  );
});
