import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Engine } from '../../src/rag/engine.js';
import {
  corpusWords,
  DEV_SET_NAMES,
  devSets,
  evaluate,
  normalize,
  parseQuestions,
  QuestionSetError,
  readQuestions,
  scoreAnswers,
  type EvalQuestion,
  type EvalReport,
  type ScoredAnswer,
} from '../../src/measure/evaluate.js';

const QUESTIONS = 'eval/questions.jsonl';
const SHARED_SCORER = '../shared/eval/score.py';

let indexDir: string;
let target: Engine;
let questions: EvalQuestion[];
let report: EvalReport;
/** The engine's own answers, by question id, as `ask --batch` would print them. */
const answers = new Map<string, ScoredAnswer>();

beforeAll(async () => {
  indexDir = await mkdtemp(path.join(os.tmpdir(), 'eval-index-'));
  // Defaults only (offline SIF embedder, no language model), whatever a developer's .env says.
  const config = loadConfig({ INDEX_DIR: indexDir }, path.join(indexDir, 'no.env'));
  target = await Engine.open(config, { autoIngest: true });
  questions = await readQuestions(QUESTIONS);
  for (const q of questions) answers.set(q.id, await target.ask(q.question));
  report = await evaluate(target, questions, config.corpusDir);
}, 120_000);

afterAll(async () => {
  if (indexDir) await rm(indexDir, { recursive: true, force: true });
});

describe('answer quality on the shared questions (thresholds of ../shared/eval/score.py)', () => {
  it('puts the gold document among the first three citations', () => {
    const misses = report.cases.filter((c) => c.expect === 'answer' && !c.hit).map((c) => `${c.id}: ${c.top3.join(', ')}`);
    expect(report.hitAt3, misses.join('\n')).toBeGreaterThanOrEqual(0.95);
  });

  it('states the key facts', () => {
    const missed = report.cases.filter((c) => c.factsMissed.length).map((c) => `${c.id}: ${c.factsMissed.join(', ')}`);
    expect(report.factCoverage, missed.join('\n')).toBeGreaterThanOrEqual(0.85);
  });

  it('abstains on every unanswerable question and refuses at most one answerable one', () => {
    expect(report.notFoundTotal).toBeGreaterThan(0);
    expect(report.notFoundCorrect).toBe(report.notFoundTotal);
    expect(report.falseNotFound).toBeLessThanOrEqual(1);
  });

  it('flags every placeholder and quotes only what the cited file says', () => {
    expect(report.placeholderTotal).toBeGreaterThan(0);
    expect(report.placeholderRecall).toBe(1);
    expect(report.quotesTotal).toBeGreaterThan(0);
    expect(report.cases.flatMap((c) => c.quotes).filter((q) => !q.valid)).toEqual([]);
    expect(report.passed).toBe(true);
  });

  it('finds the gold document in retrieval before any answer is composed', () => {
    expect(report.retrieval!.questions).toBe(report.answerable);
    expect(report.retrieval!.chunkRecall['@10']).toBeGreaterThanOrEqual(0.95);
    expect(report.retrieval!.chunkMRR).toBeGreaterThan(0.5);
  });
});

describe('the scorer', () => {
  it('fails a wrong answer set: answers shifted to the next question, abstentions answered, quotes altered', async () => {
    const words = await corpusWords('corpus');
    const ids = questions.map((q) => q.id);
    const wrong = new Map<string, ScoredAnswer>();
    ids.forEach((id, i) => {
      const other = answers.get(ids[(i + 1) % ids.length]!)!;
      wrong.set(id, {
        ...other,
        status: 'answered',
        flags: [],
        citations: (other.citations ?? []).map((c) => ({ ...c, quote: `${c.quote} zebra quartz vortex xylophone` })),
      });
    });
    const bad = scoreAnswers(questions, wrong, words);
    expect(bad.passed).toBe(false);
    const failed = bad.checks.filter((c) => !c.ok).map((c) => c.name);
    expect(failed).toEqual(expect.arrayContaining(['hit@3', 'fact coverage', 'not_found right', 'placeholders flagged', 'valid quotes']));
  });

  it('counts a missing answer as a miss, and refusing everything as false not_found', async () => {
    const words = await corpusWords('corpus');
    const refusals = new Map(questions.slice(1).map((q) => [q.id, { status: 'not_found', answer: 'no', citations: [], flags: [] }]));
    const bad = scoreAnswers(questions, refusals, words);
    expect(bad.cases[0]!.status).toBe('missing');
    expect(bad.falseNotFound).toBeGreaterThan(1);
    expect(bad.quoteValidity).toBe(0);
    expect(bad.passed).toBe(false);
  });

  it('matches text as the acceptance scorer does', () => {
    expect(normalize('Military-Technical  co-operation: 25,000!')).toBe('military technical co operation 25 000');
    const q = parseQuestions(
      '{"id":"a","question":"?","expect":"answer","source":"f.txt","facts":[["agricultur"],["25 000"],["absent"]]}',
      'inline',
    );
    const scored = scoreAnswers(q, new Map([['a', { status: 'answered', answer: 'Agricultural aid of 25,000 tons.', citations: [] }]]), new Map());
    expect(scored.cases[0]!.factsFound).toEqual(['agricultur', '25 000']);
    expect(scored.cases[0]!.factsMissed).toEqual(['absent']);
  });

  it('rejects a malformed question set with the file and line', () => {
    expect(() => parseQuestions('{"id":"a","question":"q","expect":"answer"}\n', 'set.jsonl')).toThrow(/set\.jsonl:1: source/);
    expect(() => parseQuestions('not json\n', 'set.jsonl')).toThrow(QuestionSetError);
    expect(() => parseQuestions('\n', 'set.jsonl')).toThrow(/holds no questions/);
  });

  it.skipIf(!existsSync(SHARED_SCORER) || !hasPython())('agrees with ../shared/eval/score.py on the engine’s answers', async () => {
    const out = path.join(indexDir, 'answers.jsonl');
    await writeFile(out, [...answers].map(([id, a]) => JSON.stringify({ id, ...a })).join('\n'));
    // score.py exits 1 when a threshold is missed; its summary line is what is compared here either way.
    const summary = spawnSync('python3', [SHARED_SCORER, QUESTIONS, out, 'corpus'], { encoding: 'utf8' }).stdout.trim().split('\n').pop()!;
    const ours = scoreAnswers(questions, answers, await corpusWords('corpus'));
    expect(summary).toContain(`hit@3 ${ours.hits}/${ours.answerable}`);
    expect(summary).toContain(`fact coverage ${ours.factCoverage.toFixed(2)}`);
    expect(summary).toContain(`not_found ${ours.notFoundCorrect}/${ours.notFoundTotal}`);
    expect(summary).toContain(`false not_found ${ours.falseNotFound}`);
    expect(summary).toContain(`placeholders ${ours.placeholderFlagged}/${ours.placeholderTotal}`);
    expect(summary).toContain(`valid quotes ${ours.quotesValid}/${ours.quotesTotal}`);
    expect(summary).toContain(`median answer ${ours.medianAnswerChars} chars`);
  });

  it('takes the median length over answered answers only, the upper one when even, and holds it to 400', () => {
    const q = parseQuestions(
      ['a', 'b', 'c', 'd'].map((id) => `{"id":"${id}","question":"?","expect":"answer","source":"f.txt"}`).join('\n'),
      'inline',
    );
    const answered = (n: number) => ({ status: 'answered', answer: 'x'.repeat(n), citations: [] });
    const scored = scoreAnswers(
      q,
      new Map([
        ['a', answered(100)],
        ['b', answered(300)],
        ['c', answered(500)],
        ['d', { status: 'not_found', answer: 'y'.repeat(2000), citations: [] }],
      ]),
      new Map(),
    );
    expect(scored.medianAnswerChars).toBe(300);
    const long = scoreAnswers(q, new Map([['a', answered(401)]]), new Map());
    expect(long.checks.find((c) => c.name === 'median answer')).toMatchObject({ value: '401 chars', ok: false });
  });
});

describe('dev sets', () => {
  it('lists the seed (questions and conversations), web, archive and paraphrase sets, and skips the archive and the labelled sets where they are not, saying why', () => {
    const noSets = path.join(indexDir, 'no-eval-sets');
    const here = devSets(DEV_SET_NAMES, 'corpus', noSets);
    expect(here.sets.map((s) => [s.name, s.questions, s.corpusDir, s.index, s.acceptance])).toEqual([
      ['seeds', 'eval/questions.jsonl', 'corpus', 'seeds', true],
      ['seeds (dev)', 'eval/dev-questions.jsonl', 'corpus', 'seeds', true],
      ['conversations', 'eval/conversations.jsonl', 'corpus', 'seeds', true],
      ['conversations (dev)', 'eval/dev-conversations.jsonl', 'corpus', 'seeds', true],
      ['web', 'eval/web/questions.jsonl', 'eval/web/corpus', 'web', true],
      ['archive', 'eval/archive/questions.jsonl', 'corpus', 'archive', true],
      ['paraphrase', 'eval/paraphrase.jsonl', 'corpus', 'seeds', false],
      ['paraphrase (web)', 'eval/web/paraphrase.jsonl', 'eval/web/corpus', 'web', false],
    ]);
    for (const set of here.sets) expect(existsSync(set.questions), set.questions).toBe(true);
    expect(here.skipped).toEqual(['squad', 'quail', 'fresh', 'clapnq'].map((name) => expect.stringContaining(`${name}: no ${path.join(noSets, name, 'questions.jsonl')} (build it with npm run eval:sets`)));
    const missing = devSets(['archive'], path.join(indexDir, 'no-archive'), noSets);
    expect(missing.sets).toEqual([]);
    expect(missing.skipped).toEqual([expect.stringMatching(/^archive: no archive at .*no-archive \(set ARCHIVE_DIR/)]);
  });

  it('reads every paraphrase question, each over a file of its corpus', async () => {
    for (const [file, corpusDir] of [
      ['eval/paraphrase.jsonl', 'corpus'],
      ['eval/web/paraphrase.jsonl', 'eval/web/corpus'],
    ] as const) {
      const questions = await readQuestions(file);
      expect(questions.length).toBeGreaterThan(20);
      for (const q of questions) expect(existsSync(path.join(corpusDir, q.source!)), `${q.id}: ${q.source}`).toBe(true);
    }
  });
});

function hasPython(): boolean {
  try {
    execFileSync('python3', ['--version']);
    return true;
  } catch {
    return false;
  }
}
