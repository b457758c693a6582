/**
 * Fits the answer model (src/rag/compose/answer-model.json) on labelled question sets, on their `fit` part only:
 *
 * 1. Every fit question is deliberated by the engine over its set's corpus: its evidence sentences and their
 *    features (engine.deliberate).
 * 2. The sentence model: a logistic regression telling sentences that hold a gold answer from those that do not,
 *    over the evidence of the answerable questions.
 * 3. Composition: the share of the best sentence's score another must reach to join the answer, and whether a
 *    one-sentence answer also quotes its runner-up, chosen among a few values for the most gold answers found within
 *    the answer length the sets allow.
 * 4. The answer models, over what the composed answer covers of the question: one telling questions the corpus
 *    answers from those whose document was removed (does the corpus hold what the question is about?), one telling
 *    them from the dataset's own unanswerable questions (does the answer state what is asked?). The two errors
 *    leave different traces — a missing document leaves much of the question unmatched, a missing fact leaves the
 *    kind of thing asked for absent or far from the question's words — and one regression over both blurs them.
 * 5. The threshold: the probability above which answering costs less than refusing, when answering a question the
 *    corpus does not answer costs `WRONG_ANSWER_COST` refusals of one it does, found on the fit part's news and
 *    search-engine questions.
 *
 * Each kind of text counts the same, however many questions its sets have: SQuAD's thousands of encyclopedia
 * questions must not drown out the news the product answers (QuAIL's news excerpts and the fresh news set) or the
 * questions readers type into a search engine (CLAPnq). The logistic regressions are ml-logistic-regression's.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Matrix } from 'ml-matrix';
import { ANSWER_FEATURES, type AnswerFeature, type AnswerModelFile, type LogisticModel } from '../rag/compose/answer-model.js';
import { decide, quotedSentences, type Deliberation } from '../rag/compose/answer.js';
import { SENTENCE_FEATURES, type SentenceFeature } from '../rag/compose/features.js';
import type { Config } from '../config.js';
import { Engine } from '../rag/engine.js';
import { normalize } from './evaluate.js';

// The package is CommonJS without type declarations: what fitting uses of it, typed here.
interface TwoClassRegression {
  weights: Matrix;
}
interface LogisticRegressionClass {
  new (options: { numSteps: number; learningRate: number }): { train(x: Matrix, y: Matrix): void; classifiers: TwoClassRegression[] };
}
const LogisticRegression = createRequire(import.meta.url)('ml-logistic-regression') as LogisticRegressionClass;

/**
 * An answer to what the corpus does not answer costs this many refusals of what it does. One: every answer quotes
 * its sources, and a refusal quotes the closest passages when one came near, so either way the reader sees the
 * text and can judge; neither error hides it.
 */
export const WRONG_ANSWER_COST = 1;
/** The longest median answer (characters) the composition may choose: the acceptance rule for news answers. */
const MEDIAN_ANSWER_GOAL = 400;
/** Shares of the best sentence's probability another sentence must reach to join an answer: the values tried. */
const KEEP_RATIOS = [0.15, 0.3, 0.45, 0.6, 0.75, 0.9];
/** Gradient steps and rate: the regressions are run to convergence on standardised features (log-loss printed). */
const STEPS = 1500;
const LEARNING_RATE = 0.5;

export interface FitQuestion {
  id: string;
  question: string;
  expect: 'answer' | 'not_found';
  /** Strings of which at least one must stand in a right answer (a fact's alternatives, or the gold answers). */
  gold: string[];
  /** The facts a full answer states, each a list of alternatives (one fact, the gold answers, for SQuAD and QuAIL). */
  facts: string[][];
  kind?: string;
  part?: string;
}

/**
 * The kind of text of each set: fitting balances kinds, not sets. Sets not named here are news. CLAPnq's are
 * encyclopedia passages too, but asked by readers rather than written beside them: its own kind.
 */
const KIND_OF_TEXT: Record<string, string> = { squad: 'encyclopedia', clapnq: 'search' };
/** The kinds whose questions are asked as the bot's users ask: the threshold is set on them. */
const READERS_QUESTIONS = new Set(['news', 'search']);
const kindOfText = (set: string) => KIND_OF_TEXT[set] ?? 'news';

/**
 * Sets whose gold answers are every sentence an annotator drew a long answer from (CLAPnq), not the one stating a
 * short answer: they teach the answer models which questions the corpus answers, but not which sentence answers
 * or how many to quote.
 */
const LONG_ANSWER_SETS = new Set(['clapnq']);

export interface FitSet {
  name: string;
  engine: Engine;
  questions: FitQuestion[];
}

/** A question with its deliberation, ready for fitting or for scoring a model. */
export interface Deliberated {
  set: string;
  question: FitQuestion;
  deliberation: Deliberation;
}

/** The team's own sets, by name: they are read as fit questions when named (they carry no parts). */
const TEAM_SETS: Record<string, { questions: string; corpus: string }> = {
  seeds: { questions: 'eval/questions.jsonl', corpus: 'corpus' },
  'seeds-dev': { questions: 'eval/dev-questions.jsonl', corpus: 'corpus' },
  web: { questions: 'eval/web/questions.jsonl', corpus: 'eval/web/corpus' },
};

interface QuestionLine {
  id: string;
  question: string;
  expect: 'answer' | 'not_found';
  facts?: string[][];
  flags?: string[];
  answers?: string[];
  kind?: string;
  part?: string;
}

/**
 * The labelled sets: each folder of data/eval-sets/ holding questions.jsonl and corpus/ (npm run eval:sets builds
 * them), or the team's sets by name; each with an engine over its corpus, its index kept under data/eval-index/.
 */
export async function labelledSets(config: Config, names: string[] | undefined, onNotice: (message: string) => void): Promise<FitSet[]> {
  const root = join(config.dataDir, 'eval-sets');
  const found = existsSync(root) ? (await readdir(root)).filter((d) => existsSync(join(root, d, 'questions.jsonl'))) : [];
  const wanted = names ?? found;
  const sets: FitSet[] = [];
  for (const name of wanted) {
    const team = TEAM_SETS[name];
    const questionsFile = team?.questions ?? join(root, name, 'questions.jsonl');
    const corpusDir = team?.corpus ?? join(root, name, 'corpus');
    if (!existsSync(questionsFile)) throw new Error(`no labelled set named ${name} (looked for ${questionsFile}; npm run eval:sets builds them)`);
    const lines = (await readFile(questionsFile, 'utf8')).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as QuestionLine);
    const questions = lines.map((q) => ({
      id: q.id,
      question: q.question,
      expect: q.expect,
      gold: q.answers?.length ? q.answers : q.facts?.length ? q.facts.flat() : (q.flags ?? []),
      facts: q.answers?.length ? [q.answers] : q.facts?.length ? q.facts : [q.flags ?? []],
      ...(q.kind ? { kind: q.kind } : {}),
      ...(q.part ? { part: q.part } : {}),
    }));
    const engine = await Engine.open({ ...config, corpusDir, indexDir: join(config.dataDir, 'eval-index', name) }, { autoIngest: true, onNotice });
    sets.push({ name, engine, questions });
  }
  return sets;
}

export async function deliberateAll(sets: FitSet[], onProgress: (set: string, done: number, total: number) => void): Promise<Deliberated[]> {
  const out: Deliberated[] = [];
  for (const set of sets) {
    let done = 0;
    for (const question of set.questions) {
      out.push({ set: set.name, question, deliberation: await set.engine.deliberate(question.question) });
      onProgress(set.name, ++done, set.questions.length);
    }
  }
  return out;
}

const holdsGold = (text: string, gold: string[]) => {
  const normal = ` ${normalize(text)} `;
  return gold.some((g) => normal.includes(` ${normalize(g)} `) || normal.includes(normalize(g)));
};

/** Mean and scale of each column, so weights compare across features and gradient steps behave. */
function standardise(rows: number[][]): { mean: number[]; scale: number[] } {
  const n = rows.length;
  const width = rows[0]!.length;
  const mean = Array.from({ length: width }, (_, j) => rows.reduce((s, r) => s + r[j]!, 0) / n);
  const scale = mean.map((m, j) => Math.sqrt(rows.reduce((s, r) => s + (r[j]! - m) ** 2, 0) / n) || 1);
  return { mean, scale };
}

/** A logistic regression of `labels` on the rows of `rows` listed in `sample` (an index may repeat). */
function fitLogistic<F extends string>(features: readonly F[], rows: number[][], labels: number[], sample: number[]): LogisticModel<F> & { logLoss: number } {
  const { mean, scale } = standardise(sample.map((i) => rows[i]!));
  const x = sample.map((i) => [1, ...rows[i]!.map((v, j) => (v - mean[j]!) / scale[j]!)]);
  const y = sample.map((i) => labels[i]!);
  const regression = new LogisticRegression({ numSteps: STEPS, learningRate: LEARNING_RATE / x.length });
  regression.train(new Matrix(x), Matrix.columnVector(y));
  // One-vs-rest: the classifier of class 1 scores "not class 1", so its weights are negated.
  const w = regression.classifiers[1]!.weights.to1DArray().map((v) => -v);
  let loss = 0;
  x.forEach((z, i) => {
    const p = 1 / (1 + Math.exp(-z.reduce((sum, v, j) => sum + v * w[j]!, 0)));
    loss -= y[i]! ? Math.log(Math.max(p, 1e-12)) : Math.log(Math.max(1 - p, 1e-12));
  });
  return { features: [...features], mean, scale, weights: w.slice(1), bias: w[0]!, logLoss: loss / x.length };
}

/** Rows a set contributes to a fit at most: enough for two dozen weights, few enough to fit in a minute. */
const ROWS_PER_SET = 6000;

/**
 * Indices of `items` such that every kind of text contributes the same number of rows: the median size (at most
 * ROWS_PER_SET), drawn without repetition from larger kinds and repeated from smaller ones, by a fixed seed.
 */
function balanced(items: { set: string }[]): number[] {
  const bySet = new Map<string, number[]>();
  items.forEach((item, i) => bySet.set(kindOfText(item.set), [...(bySet.get(kindOfText(item.set)) ?? []), i]));
  const sizes = [...bySet.values()].map((l) => l.length).sort((a, b) => a - b);
  const quota = Math.min(ROWS_PER_SET, sizes[Math.floor(sizes.length / 2)]!);
  let seed = 20261207;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const out: number[] = [];
  for (const list of bySet.values()) {
    const shuffled = [...list];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    for (let k = 0; k < quota; k++) out.push(shuffled[k % shuffled.length]!);
  }
  return out;
}

/** How many times each item is counted in a cost: every kind of text weighs as much as the largest. */
function setWeights(items: { set: string }[]): number[] {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(kindOfText(i.set), (counts.get(kindOfText(i.set)) ?? 0) + 1);
  const largest = Math.max(...counts.values());
  return items.map((i) => largest / counts.get(kindOfText(i.set))!);
}

/** The outcome of one question under a model: what fitting and reports count. */
export interface Outcome {
  set: string;
  question: FitQuestion;
  answered: boolean;
  /** Answered and holding a gold answer. */
  right: boolean;
  /** Share of the question's facts the composed answer states. */
  factShare: number;
  probability: number;
  chars: number;
  features: Record<AnswerFeature, number> | null;
}

export function outcomes(items: Deliberated[], model: AnswerModelFile): Outcome[] {
  return items.map(({ set, question, deliberation }) => {
    const decision = decide(deliberation, model);
    const text = quotedSentences(decision).map((c) => c.evidence.sentence.text).join(' ');
    const right = question.expect === 'answer' && decision.chosen.length > 0 && holdsGold(text, question.gold);
    const factShare = question.facts.length ? question.facts.filter((alternatives) => holdsGold(text, alternatives)).length / question.facts.length : 0;
    return { set, question, answered: decision.answered, right, factShare, probability: decision.probability, chars: text.length, features: decision.features };
  });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : 0;
};

/** Cost of answering at or above `threshold`: a refusal of an answerable question, WRONG_ANSWER_COST per answer to one that is not. */
function cost(results: Outcome[], threshold: number, weights: number[]): number {
  let total = 0;
  results.forEach((r, i) => {
    const answers = r.features !== null && r.probability >= threshold;
    if (answers && r.question.expect !== 'answer') total += WRONG_ANSWER_COST * weights[i]!;
    else if (!answers && r.question.expect === 'answer') total += weights[i]!;
  });
  return total;
}

export interface FitReport {
  model: AnswerModelFile;
  sentenceRows: number;
  sentenceLogLoss: number;
  /** Rows and log-loss of the two answer models. */
  answerFits: { model: 'about' | 'stated'; rows: number; logLoss: number }[];
  keepRatios: { questions: string; keepRatio: number; facts: number; medianChars: number }[];
}

/** A model that weighs nothing (probability one half): what composition is chosen under, before the answer models exist. */
const untrained = (): LogisticModel<AnswerFeature> => ({
  features: [...ANSWER_FEATURES],
  mean: ANSWER_FEATURES.map(() => 0),
  scale: ANSWER_FEATURES.map(() => 1),
  weights: ANSWER_FEATURES.map(() => 0),
  bias: 0,
});

export function fitAnswerModel(items: Deliberated[], provenance: Record<string, unknown>): FitReport {
  // 2. The sentence model, on the evidence of answerable questions.
  const sentenceRows: number[][] = [];
  const sentenceLabels: number[] = [];
  const sentenceSets: { set: string }[] = [];
  for (const { set, question, deliberation } of items) {
    if (question.expect !== 'answer' || LONG_ANSWER_SETS.has(set)) continue;
    for (const c of deliberation.candidates) {
      sentenceRows.push(SENTENCE_FEATURES.map((f) => c.features[f]));
      sentenceLabels.push(holdsGold(c.evidence.sentence.text, question.gold) ? 1 : 0);
      sentenceSets.push({ set });
    }
  }
  const sentence = fitLogistic<SentenceFeature>(SENTENCE_FEATURES, sentenceRows, sentenceLabels, balanced(sentenceSets));
  const base: AnswerModelFile = {
    sentence: { features: sentence.features, mean: sentence.mean, scale: sentence.scale, weights: sentence.weights, bias: sentence.bias },
    about: untrained(),
    stated: untrained(),
    threshold: 0,
    cost: { wrongAnswer: WRONG_ANSWER_COST, refusal: 1 },
    composition: { keepRatio: KEEP_RATIOS[0]!, listKeepRatio: KEEP_RATIOS[0]!, runnerUp: false },
    fitted: provenance,
  };

  // 3. Composition: most facts stated, within the median length news answers may take; list questions ("what did
  // they discuss") and one-fact questions each get their own share, since a list wants its further items, and
  // one-fact answers may quote the runner-up sentence.
  const answerable = items.filter((i) => i.question.expect === 'answer' && !LONG_ANSWER_SETS.has(i.set));
  const asksList = (i: Deliberated) => i.deliberation.retrieval.question.asksList;
  // Most facts among the options within the median length; when none is, the one with the shortest answers.
  const bestComposition = (group: Deliberated[], options: AnswerModelFile['composition'][]) => {
    const tried = options.map((composition) => {
      const results = outcomes(group, { ...base, composition });
      return { composition, facts: results.reduce((n, r) => n + r.factShare, 0) / Math.max(1, results.length), medianChars: median(results.map((r) => r.chars)) };
    });
    const allowed = tried.filter((k) => k.medianChars <= MEDIAN_ANSWER_GOAL);
    const best = allowed.length ? allowed.reduce((a, b) => (b.facts > a.facts ? b : a)) : tried.reduce((a, b) => (b.medianChars < a.medianChars ? b : a));
    return { tried, best: best.composition };
  };
  const single = bestComposition(
    answerable.filter((i) => !asksList(i)),
    [false, true].flatMap((runnerUp) => KEEP_RATIOS.map((r) => ({ keepRatio: r, listKeepRatio: r, runnerUp }))),
  );
  const list = bestComposition(
    answerable.filter(asksList),
    KEEP_RATIOS.map((r) => ({ ...single.best, listKeepRatio: r })),
  );
  base.composition = list.best;
  const keepRatios = [
    ...single.tried.map(({ composition: c, ...k }) => ({ ...k, keepRatio: c.keepRatio, questions: c.runnerUp ? 'one fact, runner-up quoted' : 'one fact' })),
    ...list.tried.map(({ composition: c, ...k }) => ({ ...k, keepRatio: c.listKeepRatio, questions: 'list' })),
  ];

  // 4. The answer models: does the corpus hold what the question is about, and does the answer state what is asked?
  const results = outcomes(items, { ...base, threshold: 0 }).filter((r) => r.features);
  const fitAgainst = (negative: (r: Outcome) => boolean) => {
    const rows = results.filter((r) => r.question.expect === 'answer' || negative(r));
    const fitted = fitLogistic<AnswerFeature>(
      ANSWER_FEATURES,
      rows.map((r) => ANSWER_FEATURES.map((f) => r.features![f])),
      rows.map((r) => (r.question.expect === 'answer' ? 1 : 0)),
      balanced(rows),
    );
    return { rows: rows.length, fitted };
  };
  const about = fitAgainst((r) => r.question.kind === 'removed');
  const stated = fitAgainst((r) => r.question.expect !== 'answer' && r.question.kind !== 'removed');
  const strip = ({ logLoss: _, ...m }: LogisticModel<AnswerFeature> & { logLoss: number }) => m;
  const model: AnswerModelFile = { ...base, about: strip(about.fitted), stated: strip(stated.fitted) };

  // 5. The threshold that costs least on the fit part's questions as readers ask them: news, and search-engine
  // questions. (SQuAD's, written to look answerable beside a paragraph that does not answer them, refuse at another
  // rate, which would set the bar too high for what users ask.)
  const scored = outcomes(items.filter((i) => READERS_QUESTIONS.has(kindOfText(i.set))), { ...model, threshold: 0 });
  const weights = setWeights(scored);
  let best = { threshold: 0.5, cost: Infinity };
  for (let t = 0.05; t < 0.96; t += 0.01) {
    const c = cost(scored, t, weights);
    if (c < best.cost) best = { threshold: Math.round(t * 100) / 100, cost: c };
  }
  model.threshold = best.threshold;
  return {
    model,
    sentenceRows: sentenceRows.length,
    sentenceLogLoss: sentence.logLoss,
    answerFits: [
      { model: 'about', rows: about.rows, logLoss: about.fitted.logLoss },
      { model: 'stated', rows: stated.rows, logLoss: stated.fitted.logLoss },
    ],
    keepRatios,
  };
}

/** Figures of one group of questions under a model. */
export interface PartFigures {
  questions: number;
  answerable: number;
  /** Answerable questions answered with a gold answer inside the answer. */
  goldInAnswer: number;
  falseRefusals: number;
  /** Refusals of questions the corpus does not answer, by kind (the dataset's own unanswerable, removed document…). */
  refusedByKind: Record<string, { refused: number; of: number }>;
  medianChars: number;
  /**
   * How well the answer model's probability tells questions the corpus answers from those it does not, whatever
   * the threshold: the chance that an answerable question scores above one that is not (0.5 is chance, 1 perfect).
   */
  separation: number;
}

/** The area under the ROC curve of `scores` for `positive`: ties count half. */
export function separation(items: { score: number; positive: boolean }[]): number {
  const sorted = [...items].sort((a, b) => a.score - b.score);
  let rankSum = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j]!.score === sorted[i]!.score) j++;
    const averageRank = (i + j + 1) / 2;
    for (let k = i; k < j; k++) if (sorted[k]!.positive) rankSum += averageRank;
    i = j;
  }
  const positives = sorted.filter((x) => x.positive).length;
  const negatives = sorted.length - positives;
  return positives && negatives ? (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives) : 0.5;
}

export function figures(results: Outcome[]): PartFigures {
  const answerable = results.filter((r) => r.question.expect === 'answer');
  const refusedByKind: PartFigures['refusedByKind'] = {};
  for (const r of results.filter((x) => x.question.expect === 'not_found')) {
    const kind = r.question.kind ?? 'unanswerable';
    refusedByKind[kind] ??= { refused: 0, of: 0 };
    refusedByKind[kind].of++;
    if (!r.answered) refusedByKind[kind].refused++;
  }
  return {
    questions: results.length,
    answerable: answerable.length,
    goldInAnswer: answerable.filter((r) => r.answered && r.right).length / Math.max(1, answerable.length),
    falseRefusals: answerable.filter((r) => !r.answered).length / Math.max(1, answerable.length),
    refusedByKind,
    medianChars: median(results.filter((r) => r.answered).map((r) => r.chars)),
    separation: separation(results.map((r) => ({ score: r.probability, positive: r.question.expect === 'answer' }))),
  };
}
