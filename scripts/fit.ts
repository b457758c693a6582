/**
 * `npm run fit -- [--sets a,b] [--write]`: fits the answer model on the fit part of the labelled sets under
 * data/eval-sets/ (npm run eval:sets builds them) and prints its figures on the fit and check parts (the final part is
 * held back for npm run eval); --write stores the weights
 * in src/rag/compose/answer-model.json. Arguments and printing only: src/measure/fit-answers.ts does the work.
 */
import { writeFile } from 'node:fs/promises';
import { loadConfig } from '../src/config.js';
import { answerModel } from '../src/rag/compose/answer-model.js';
import { deliberateAll, figures, fitAnswerModel, labelledSets, outcomes, type Deliberated, type PartFigures } from '../src/measure/fit-answers.js';
import { command, notice, parseArguments, runCli, table } from './cli.js';

const MODEL_FILE = 'src/rag/compose/answer-model.json';

const pct = (x: number) => x.toFixed(2);

function rows(name: string, part: string, f: PartFigures): string[] {
  const kinds = Object.entries(f.refusedByKind).map(([kind, r]) => `${kind} ${r.refused}/${r.of}`).join(', ');
  return [name, part, String(f.questions), pct(f.goldInAnswer), pct(f.falseRefusals), kinds, pct(f.separation), String(f.medianChars)];
}

await runCli(async () => {
  const program = command('fit', 'Fit the answer model on the fit part of the labelled sets.')
    .option('--sets <names>', 'comma-separated set names under data/eval-sets (default: all)')
    .option('--write', `write the fitted weights to ${MODEL_FILE}`);
  const exit = parseArguments(program);
  if (exit !== null) return exit;
  const o = program.opts<{ sets?: string; write?: boolean }>();
  const config = loadConfig();
  const sets = await labelledSets(config, o.sets?.split(',').map((s) => s.trim()).filter(Boolean), notice);
  // The final part is held back: it is read once, by npm run eval -- --part final, not while fitting.
  const held = sets.map((set) => ({ ...set, questions: set.questions.filter((q) => q.part !== 'final') }));
  const all: Deliberated[] = await deliberateAll(held, (set, done, total) => {
    if (done === total || done % 250 === 0) notice(`${set}: ${done}/${total} questions deliberated`);
  });
  const fit = all.filter((d) => (d.question.part ?? 'fit') === 'fit');
  const started = Date.now();
  const report = fitAnswerModel(fit, {
    command: `npm run fit -- ${process.argv.slice(2).join(' ')}`.trim(),
    date: new Date().toISOString().slice(0, 10),
    sets: Object.fromEntries(sets.map((s) => [s.name, s.questions.filter((q) => (q.part ?? 'fit') === 'fit').length])),
  });
  notice(`fitted in ${((Date.now() - started) / 1000).toFixed(1)} s: sentence rows ${report.sentenceRows} (log-loss ${report.sentenceLogLoss.toFixed(3)}), ${report.answerFits.map((a) => `${a.model} rows ${a.rows} (log-loss ${a.logLoss.toFixed(3)})`).join(', ')}, threshold ${report.model.threshold}`);
  console.log(table([['questions', 'keep ratio', 'facts stated', 'median chars'], ...report.keepRatios.map((k) => [k.questions, String(k.keepRatio), pct(k.facts), String(k.medianChars)])]));
  console.log('\nweights (standardised features)');
  const { sentence, about, stated } = report.model;
  console.log(table([['feature', 'sentence'], ...sentence.features.map((f, i) => [f, sentence.weights[i]!.toFixed(3)]), ['(bias)', sentence.bias.toFixed(3)]]));
  console.log(table([['feature', 'about', 'stated'], ...about.features.map((f, i) => [f, about.weights[i]!.toFixed(3), stated.weights[i]!.toFixed(3)]), ['(bias)', about.bias.toFixed(3), stated.bias.toFixed(3)]]));
  const header = ['set', 'part', 'questions', 'gold in answer', 'false refusals', 'refused (unanswerable)', 'separation (AUC)', 'median chars'];
  for (const [label, model] of [['before (the model in use)', answerModel], ['after (fitted now)', report.model]] as const) {
    const results = outcomes(all, model);
    const groups = new Map<string, typeof results>();
    for (const r of results) {
      const key = `${r.set}\u0000${r.question.part ?? 'fit'}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    console.log(`\n${label}`);
    console.log(table([header, ...[...groups].map(([key, group]) => rows(key.split('\u0000')[0]!, key.split('\u0000')[1]!, figures(group)))]));
  }
  if (o.write) {
    await writeFile(MODEL_FILE, `${JSON.stringify(report.model, null, 1)}\n`);
    notice(`wrote ${MODEL_FILE}`);
  }
});
