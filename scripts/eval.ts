/** `npm run eval -- [--questions FILE] [--json]`: answer quality by the acceptance rules. Arguments and printing only. */

import { loadConfig } from '../src/config.js';
import { evaluate as evaluateQuestions, readQuestions, RECALL_DEPTHS, type CaseResult, type EvalReport } from '../src/measure/evaluate.js';
import { command, EXIT_INVALID, notice, openEngine, parseArguments, runCli, table } from './cli.js';

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

await runCli(async () => {
  const program = command('eval', 'Ask every question of a question set and score the answers by the acceptance rules.')
    .option('--questions <file>', 'JSON lines of {id, question, expect, source, facts, flags}', DEFAULT_QUESTIONS)
    .option('--json', 'print one JSON object');
  const exit = parseArguments(program);
  if (exit !== null) return exit;
  if (program.args.length) {
    notice(`error: unexpected argument ${program.args[0]} (usage: npm run eval -- [--questions FILE] [--json])`);
    return EXIT_INVALID;
  }
  const options = program.opts<{ questions: string; json?: boolean }>();
  const questions = await readQuestions(options.questions);
  const config = loadConfig();
  const engine = await openEngine(config);
  const report = await evaluateQuestions(engine, questions, config.corpusDir);
  if (options.json) console.log(JSON.stringify(report));
  else printReport(report, options.questions);
  return report.passed ? 0 : 1;
});
