/**
 * `npm run eval -- [--questions FILE | --set seeds|web|archive|all | --summaries FILE] [--json]`: answer quality by
 * the acceptance rules, for one question set over CORPUS_DIR or for the named dev sets over their own corpora; or
 * summary figures (key facts, length) over the corpora a summaries file names. Arguments and printing only.
 */

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Option } from 'commander';
import { loadConfig } from '../src/config.js';
import {
  DEV_SET_NAMES,
  devSets,
  evaluate as evaluateQuestions,
  evaluateDevSets,
  readQuestions,
  RECALL_DEPTHS,
  type CaseResult,
  type DevSetName,
  type DevSetReport,
  type EvalReport,
  type Part,
  PARTS,
  type Share,
} from '../src/measure/evaluate.js';
import {
  configForCorpus,
  evaluateSummaries,
  readSummaryCases,
  SUMMARY_CHAR_GOAL,
  type SummaryReport,
} from '../src/measure/summaries.js';
import { command, EXIT_INVALID, notice, openEngine, parseArguments, runCli, table, wholeNumber } from './cli.js';

const DEFAULT_QUESTIONS = 'eval/questions.jsonl';

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

function caseRow(c: CaseResult): string[] {
  const answerable = c.expect === 'answer';
  const outcome = answerable ? (c.falseNotFound ? 'FALSE not_found' : c.status) : c.abstainedCorrectly ? 'not_found ✓' : `${c.status} ✗`;
  const facts = answerable ? `${c.factsFound.length}/${c.factsFound.length + c.factsMissed.length}` : '';
  const placeholders = [...c.placeholdersFlagged.map((p) => `${p} ✓`), ...c.placeholdersMissed.map((p) => `${p} ✗`)].join(' ');
  const invalidQuotes = c.quotes.filter((q) => !q.valid).length;
  return [
    c.id,
    c.expect,
    outcome,
    answerable ? (c.hit ? 'yes' : 'NO') : '',
    facts,
    c.factsMissed.length ? clip(c.factsMissed.join(', '), 40) : '',
    placeholders || c.flags.map((f) => clip(f, 20)).join(', '),
    invalidQuotes ? `${invalidQuotes} bad` : `${c.quotes.length} ok`,
    answerable ? `${c.goldChunkRank ?? '–'}/${c.goldEvidenceRank ?? '–'}` : '',
  ];
}

function printReport(report: EvalReport, file: string): void {
  console.log(`Questions: ${file} (${report.answerable} answerable, ${report.notFoundTotal} not answerable)\n`);
  console.log(
    table([
      ['id', 'expect', 'status', 'hit@3', 'facts', 'missed', 'flags', 'quotes', 'gold rank chunk/sentence'],
      ...report.cases.map(caseRow),
    ]),
  );
  console.log('\nAnswers (scored as ../shared/eval/score.py does)');
  console.log(
    table([
      ['', 'value', 'required', ''],
      ...[...report.checks, ...report.goals].map((c) => [c.name, c.value, c.required, c.ok ? 'ok' : 'MISSED']),
      ['placeholder recall', report.placeholderRecall.toFixed(2), '', ''],
      ['not_found accuracy', report.notFoundAccuracy.toFixed(2), '', ''],
      ['quote validity', report.quoteValidity.toFixed(2), '', ''],
    ]),
  );
  const r = report.retrieval;
  if (r) {
    console.log('\nRetrieval before composition (gold source among the first k)');
    console.log(
      table([
        ['', ...RECALL_DEPTHS.map((k) => `recall@${k}`), 'MRR'],
        ['fused chunks', ...RECALL_DEPTHS.map((k) => r.chunkRecall[`@${k}`]!.toFixed(2)), r.chunkMRR.toFixed(3)],
        ['evidence sentences', ...RECALL_DEPTHS.map((k) => r.evidenceRecall[`@${k}`]!.toFixed(2)), r.evidenceMRR.toFixed(3)],
      ]),
    );
  }
  console.log(`\n${report.passed ? 'PASS' : 'FAIL'}: ${report.checks.filter((c) => !c.ok).map((c) => c.name).join(', ') || 'every threshold holds'}`);
}

function printSummaryReport(report: SummaryReport, file: string): void {
  console.log(`Summaries: ${file} (${report.cases.length} documents)\n`);
  console.log(
    table([
      ['corpus', 'source', 'facts', 'missed', 'chars', 'sentences', 'flags', 'quotes'],
      ...report.cases.map((c) => [
        c.corpus,
        clip(c.source, 40),
        `${c.factsFound.length}/${c.factsFound.length + c.factsMissed.length}`,
        clip(c.factsMissed.join(', '), 30),
        String(c.chars),
        String(c.sentences),
        clip(c.flags.join(', '), 30),
        c.invalidQuotes ? `${c.invalidQuotes} bad` : 'ok',
      ]),
    ]),
  );
  console.log(`\nSummary figures (length goal ≤ ${SUMMARY_CHAR_GOAL} characters)`);
  console.log(
    table(
      [
        ['corpus', 'documents', 'fact coverage', 'all facts', 'median chars', 'max chars', `over ${SUMMARY_CHAR_GOAL}`, 'sentences', 'bad quotes'],
        ...report.totals.map((t) => [
          t.corpus,
          String(t.documents),
          t.factCoverage.toFixed(2),
          `${t.allFacts}/${t.documents}`,
          String(t.medianChars),
          String(t.maxChars),
          String(t.overLength),
          t.meanSentences.toFixed(1),
          String(t.invalidQuotes),
        ]),
      ],
      { figures: true },
    ),
  );
}

/** One row per dev set: the figures score.py prints, and whether every threshold holds. */
function printDevSets(reports: DevSetReport[], skipped: string[]): void {
  const verdict = ({ acceptance, report: r }: DevSetReport) =>
    !acceptance ? 'measured (no acceptance thresholds)' : r.passed ? 'PASS' : `FAIL: ${r.checks.filter((c) => !c.ok).map((c) => c.name).join(', ')}`;
  const row = (set: DevSetReport, r = set.report) => [
    set.name,
    String(r.questions),
    `${r.hits}/${r.answerable} (${r.hitAt3.toFixed(2)})`,
    r.factCoverage.toFixed(2),
    `${r.notFoundCorrect}/${r.notFoundTotal}`,
    String(r.falseNotFound),
    `${r.placeholderFlagged}/${r.placeholderTotal}`,
    `${r.quotesValid}/${r.quotesTotal}`,
    String(r.medianAnswerChars),
    verdict(set),
  ];
  console.log(
    table([
      ['set', 'questions', 'hit@3', 'facts', 'not_found', 'false nf', 'placeholders', 'valid quotes', 'median chars', ''],
      ...reports.map((set) => row(set)),
    ]),
  );
  for (const reason of skipped) console.log(`skipped ${reason}`);
}

const shareCell = (s: Share | undefined) => (!s ? '–' : s.of ? `${s.n}/${s.of} (${(s.n / s.of).toFixed(2)})` : '–');

/**
 * Every set by part (fit, check and final side by side; `all` for a set without parts): gold source in the top 3,
 * facts (the gold answer for SQuAD and QuAIL), refusals by kind, false refusals and median answer length.
 */
function printParts(reports: DevSetReport[]): void {
  console.log('\nBy part: refusals of unanswerable questions by kind (topic present / document removed)');
  console.log(
    table([
      ['set', 'part', 'questions', 'hit@3', 'facts/gold', 'retrieval@3', 'unanswerable refused', 'removed refused', 'false refusals', 'median chars'],
      ...reports.flatMap(({ name, parts }) =>
        parts.map((p) => [
          name,
          p.part,
          String(p.questions),
          shareCell(p.hitAt3),
          p.hitAt3.of ? p.factCoverage.toFixed(2) : '–',
          shareCell(p.retrievalAt3),
          shareCell(p.unanswerableRefused),
          shareCell(p.removedRefused),
          shareCell(p.falseRefusals),
          String(p.medianAnswerChars),
        ]),
      ),
    ]),
  );
}

await runCli(async () => {
  const program = command('eval', 'Ask every question of a question set and score the answers by the acceptance rules.')
    .option('--questions <file>', 'JSON lines of {id, question, expect, source, facts, flags}, over CORPUS_DIR', DEFAULT_QUESTIONS)
    .addOption(new Option('--set <name>', 'evaluate dev sets over their own corpora instead').choices([...DEV_SET_NAMES, 'all']).conflicts('questions'))
    .option('--archive-dir <dir>', 'the news archive for --set archive (default: ARCHIVE_DIR, else data/bbc-archive)')
    .option('--sets-dir <dir>', 'the labelled sets npm run eval:sets built (default: DATA_DIR/eval-sets)')
    .addOption(new Option('--part <part>', 'only this part of the labelled sets').choices([...PARTS]))
    .option('--limit <n>', 'at most n questions of each part of the labelled sets, the same ones every run', wholeNumber)
    .option('--cases <file>', 'with --set: also write each question\'s result to file, one JSON line each')
    .option('--summaries <file>', 'instead: summarise the documents of JSON lines {source, corpus: seeds|web, facts} and score them')
    .option('--json', 'print one JSON object');
  const exit = parseArguments(program);
  if (exit !== null) return exit;
  if (program.args.length) {
    notice(`error: unexpected argument ${program.args[0]} (usage: npm run eval -- [--questions FILE | --set seeds|web|archive|all | --summaries FILE] [--json])`);
    return EXIT_INVALID;
  }
  const options = program.opts<{
    questions: string;
    set?: DevSetName | 'all';
    archiveDir?: string;
    setsDir?: string;
    part?: Part;
    limit?: number;
    cases?: string;
    summaries?: string;
    json?: boolean;
  }>();
  if (options.summaries) {
    const cases = await readSummaryCases(options.summaries);
    const config = loadConfig();
    const report = await evaluateSummaries(cases, (corpus) => openEngine(configForCorpus(config, corpus)));
    if (options.json) console.log(JSON.stringify(report));
    else printSummaryReport(report, options.summaries);
    return report.totals[0]!.overLength || report.totals[0]!.invalidQuotes ? 1 : 0;
  }
  if (options.set) {
    const config = loadConfig();
    const names = options.set === 'all' ? DEV_SET_NAMES : [options.set];
    const setsDir = options.setsDir ?? join(config.dataDir, 'eval-sets');
    const { sets, skipped } = devSets(names, options.archiveDir ?? config.archiveDir, setsDir);
    if (!sets.length) {
      notice(`error: nothing to evaluate; skipped ${skipped.join('; ')}`);
      return EXIT_INVALID;
    }
    const started = performance.now();
    const reports = await evaluateDevSets(config, sets, notice, { part: options.part, limit: options.limit });
    notice(`all sets: ${Math.round((performance.now() - started) / 1000)} s`);
    if (options.cases) {
      const lines = reports.flatMap((r) => r.report.cases.map((c) => JSON.stringify({ set: r.name, ...c })));
      await writeFile(options.cases, lines.join('\n') + '\n');
    }
    if (options.json) console.log(JSON.stringify({ sets: reports, skipped }));
    else {
      printDevSets(reports, skipped);
      printParts(reports);
    }
    // Only the team's acceptance sets decide the exit code; the others are measured, not gated (see eval/README.md).
    return reports.every((r) => !r.acceptance || r.report.passed) ? 0 : 1;
  }
  const questions = await readQuestions(options.questions);
  const config = loadConfig();
  const engine = await openEngine(config);
  const report = await evaluateQuestions(engine, questions, config.corpusDir);
  if (options.json) console.log(JSON.stringify(report));
  else printReport(report, options.questions);
  return report.passed ? 0 : 1;
});
