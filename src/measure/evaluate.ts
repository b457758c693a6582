/**
 * Answer quality, measured with the rules of the shared acceptance scorer (../shared/eval/score.py), so a number
 * printed here is the number acceptance will see. Also measures retrieval on its own (where the gold document ranks
 * before any answer is composed), so a regression can be placed in retrieval or in composition.
 *
 * Rules mirrored from score.py (keep them in step with it):
 * - text is normalised by lower-casing and turning every run of characters other than a–z and 0–9 into one space;
 *   a fact alternative counts wherever it stands in the normalised answer (a substring match);
 * - hit@3: the gold file is among the first three citations (file names compared without directories);
 * - a quote is valid when at least 90% of its distinct words occur in the cited file, and a quote set counts
 *   only when it has quotes at all (no citations anywhere scores 0);
 * - a placeholder is flagged when its exact text (case-sensitive) occurs in one of the answer's flags;
 * - an answerable question answered `not_found` is a false refusal unless it expects a placeholder flag;
 * - a question with no answer line counts in the denominators and scores nothing;
 * - the median answer length is that of the answered answers (status `answered`), the upper median when even.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import * as z from 'zod';
import type { Config } from '../config.js';
import { Engine } from '../rag/engine.js';
import { InvalidQuestionError, UserFacingError } from '../rag/errors.js';
import { withTurn, type RetrievedSources, type Turn } from '../rag/types.js';

/** The question set file is missing or malformed; the message names the file and line. Invalid input: exit 2. */
export class QuestionSetError extends InvalidQuestionError {}

/** The parts a labelled set is split into (by document): decisions are fitted on `fit` and reported on `final`. */
export const PARTS = ['fit', 'check', 'final'] as const;
export type Part = (typeof PARTS)[number];
/**
 * What a question tests: `answerable`; `unanswerable`, the corpus holds its topic but not its answer (the dataset's
 * own unanswerable questions, the team's near misses); `removed`, an answerable question whose document was taken
 * out of the corpus.
 */
export const TASK_KINDS = ['answerable', 'unanswerable', 'removed'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** Fields of the labelled sets (eval/README.md): optional, so every set of the shared format still reads. */
const labelledFields = {
  kind: z.enum(TASK_KINDS).optional(),
  part: z.enum(PARTS).optional(),
  answers: z.array(z.string()).optional(),
};

const questionSchema = z.discriminatedUnion('expect', [
  z.object({
    id: z.string().min(1),
    question: z.string(),
    conversation: z.string().optional(),
    expect: z.literal('answer'),
    source: z.string().min(1),
    facts: z.array(z.array(z.string()).min(1)).default([]),
    flags: z.array(z.string()).default([]),
    ...labelledFields,
  }),
  z.object({
    id: z.string().min(1),
    question: z.string(),
    conversation: z.string().optional(),
    expect: z.literal('not_found'),
    source: z.string().optional(),
    facts: z.array(z.array(z.string())).default([]),
    flags: z.array(z.string()).default([]),
    ...labelledFields,
  }),
]);

export type EvalQuestion = z.infer<typeof questionSchema>;

/** The part of an answer the scorer reads: what `ask --json` prints. `invalid` is what --batch prints for bad input. */
export interface ScoredAnswer {
  status: string;
  answer?: string;
  citations?: { source?: string; quote?: string }[];
  flags?: { text?: string }[];
}

/** Acceptance thresholds of score.py; the exit code of `npm run eval` follows these. */
export const THRESHOLDS = { hitAt3: 0.95, factCoverage: 0.9, maxFalseNotFound: 1, maxMedianAnswerChars: 400 } as const;
/** The stricter goal of the answers issue, reported beside the thresholds (its fact goal is now the threshold). */
export const ANSWERS_ISSUE_GOALS = { hitAt3: 1 } as const;
/** Share of a quote's words that must occur in its cited file. */
const QUOTE_WORD_SHARE = 0.9;
/** Depths at which retrieval recall is reported. */
export const RECALL_DEPTHS = [1, 3, 5, 10] as const;

export function normalize(text: string): string {
  return text.toLowerCase().replace(/[^0-9a-z]+/g, ' ').trim();
}

function wordSet(text: string): Set<string> {
  return new Set(normalize(text).split(' ').filter(Boolean));
}

/**
 * The lines of a JSON-lines set, each validated by `schema`; a bad line stops with its file and line number.
 * `what` names one entry in messages ("question", "summary case").
 */
export function parseJsonLines<T>(text: string, file: string, schema: z.ZodType<T, unknown>, what: string): T[] {
  const entries: T[] = [];
  for (const [n, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new QuestionSetError(`${file}:${n + 1}: not a JSON object`);
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new QuestionSetError(`${file}:${n + 1}: ${issue.path.join('.') || what}: ${issue.message}`);
    }
    entries.push(parsed.data);
  }
  if (!entries.length) throw new QuestionSetError(`${file}: holds no ${what}s`);
  return entries;
}

export function parseQuestions(text: string, file: string): EvalQuestion[] {
  const questions = parseJsonLines(text, file, questionSchema, 'question');
  const ids = new Set<string>();
  questions.forEach((q) => {
    if (ids.has(q.id)) throw new QuestionSetError(`${file}: id ${q.id} is used twice`);
    ids.add(q.id);
  });
  return questions;
}

export async function readQuestions(file: string): Promise<EvalQuestion[]> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new QuestionSetError(`cannot read the question set ${file}`);
  });
  return parseQuestions(text, file);
}

/** Words of every file in the corpus directory, by file name: what quotes are checked against. */
export async function corpusWords(corpusDir: string): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const entry of await readdir(corpusDir, { withFileTypes: true })) {
    if (entry.isFile()) out.set(entry.name, wordSet(await readFile(join(corpusDir, entry.name), 'utf8')));
  }
  return out;
}

export interface QuoteCheck {
  source: string;
  quote: string;
  valid: boolean;
}

export interface CaseResult {
  id: string;
  question: string;
  expect: EvalQuestion['expect'];
  /** The question's kind; a set that names none has `answerable` and `unanswerable` by its `expect`. */
  kind: TaskKind;
  /** The part of a labelled set the question belongs to. */
  part?: Part;
  /** What came back: answered, not_found, invalid, or missing when there was no answer at all. */
  status: string;
  goldSource?: string;
  /** File names of the first three citations. */
  top3: string[];
  /** Gold source among the first three citations (answerable questions only). */
  hit?: boolean;
  factsFound: string[];
  /** The first alternative of every fact the answer misses. */
  factsMissed: string[];
  /** Share of the question's facts found, 0..1 (answerable questions only; 1 when it lists none). */
  coverage?: number;
  /** For not_found questions: the bot abstained. */
  abstainedCorrectly?: boolean;
  falseNotFound: boolean;
  placeholdersFlagged: string[];
  placeholdersMissed: string[];
  flags: string[];
  quotes: QuoteCheck[];
  /** Retrieval before composition: rank (1-based) of the first chunk of the gold source, null when absent. */
  goldChunkRank?: number | null;
  /** Rank of the first evidence sentence from the gold source, null when absent. */
  goldEvidenceRank?: number | null;
  answer: string;
}

export interface RetrievalTotals {
  questions: number;
  /** recall@k: share of answerable questions whose gold source has a chunk among the first k fused chunks. */
  chunkRecall: Record<string, number>;
  chunkMRR: number;
  /** The same over the evidence sentences handed to composition. */
  evidenceRecall: Record<string, number>;
  evidenceMRR: number;
}

export interface EvalReport {
  questions: number;
  answerable: number;
  hits: number;
  hitAt3: number;
  factCoverage: number;
  notFoundTotal: number;
  notFoundCorrect: number;
  notFoundAccuracy: number;
  falseNotFound: number;
  placeholderTotal: number;
  placeholderFlagged: number;
  placeholderRecall: number;
  quotesTotal: number;
  quotesValid: number;
  quoteValidity: number;
  /** Median length in characters of the answered answers, as score.py computes it. */
  medianAnswerChars: number;
  retrieval?: RetrievalTotals;
  /** Each threshold of score.py, and whether it holds. */
  checks: { name: string; value: string; required: string; ok: boolean }[];
  /** The stricter goals of the answers issue (informational; the exit code follows `checks`). */
  goals: { name: string; value: string; required: string; ok: boolean }[];
  passed: boolean;
  cases: CaseResult[];
}

function scoreCase(q: EvalQuestion, a: ScoredAnswer | undefined, words: Map<string, Set<string>>): CaseResult {
  const result: CaseResult = {
    id: q.id,
    question: q.question,
    expect: q.expect,
    kind: q.kind ?? (q.expect === 'answer' ? 'answerable' : 'unanswerable'),
    ...(q.part ? { part: q.part } : {}),
    status: a?.status ?? 'missing',
    goldSource: q.source,
    top3: [],
    factsFound: [],
    factsMissed: [],
    falseNotFound: false,
    placeholdersFlagged: [],
    placeholdersMissed: [],
    flags: (a?.flags ?? []).map((f) => String(f.text ?? '')),
    quotes: [],
    answer: String(a?.answer ?? ''),
  };
  if (!a) {
    if (q.expect === 'answer') {
      Object.assign(result, { hit: false, coverage: 0, factsMissed: q.facts.map((alts) => alts[0]!), placeholdersMissed: q.flags });
    } else result.abstainedCorrectly = false;
    return result;
  }
  const citations = a.citations ?? [];
  for (const c of citations) {
    const source = basename(String(c.source ?? ''));
    const quote = String(c.quote ?? '');
    const quoteWords = wordSet(quote);
    const fileWords = words.get(source);
    let shared = 0;
    if (fileWords) for (const w of quoteWords) if (fileWords.has(w)) shared++;
    result.quotes.push({ source, quote, valid: !!fileWords && quoteWords.size > 0 && shared >= QUOTE_WORD_SHARE * quoteWords.size });
  }
  if (q.expect === 'not_found') {
    result.abstainedCorrectly = a.status === 'not_found';
    return result;
  }
  result.falseNotFound = a.status === 'not_found' && q.flags.length === 0;
  result.top3 = citations.slice(0, 3).map((c) => basename(String(c.source ?? '')));
  result.hit = result.top3.includes(q.source);
  const text = ` ${normalize(result.answer)} `;
  for (const alternatives of q.facts) {
    if (alternatives.some((alt) => text.includes(normalize(alt)))) result.factsFound.push(alternatives[0]!);
    else result.factsMissed.push(alternatives[0]!);
  }
  result.coverage = q.facts.length ? result.factsFound.length / q.facts.length : 1;
  for (const placeholder of q.flags) {
    if (result.flags.some((f) => f.includes(placeholder))) result.placeholdersFlagged.push(placeholder);
    else result.placeholdersMissed.push(placeholder);
  }
  return result;
}

const ratio = (part: number, whole: number) => (whole ? part / whole : 0);
const fixed = (x: number) => x.toFixed(2);

/** Scores answers (by question id) against a question set; `retrievals` adds retrieval-only ranks when given. */
export function scoreAnswers(
  questions: EvalQuestion[],
  answers: Map<string, ScoredAnswer>,
  words: Map<string, Set<string>>,
  retrievals?: Map<string, RetrievedSources>,
): EvalReport {
  const cases = questions.map((q) => {
    const result = scoreCase(q, answers.get(q.id), words);
    const retrieved = retrievals?.get(q.id);
    if (retrieved && q.expect === 'answer') {
      result.goldChunkRank = rankOf(q.source, retrieved.chunkSources);
      result.goldEvidenceRank = rankOf(q.source, retrieved.evidenceSources);
    }
    return result;
  });
  const answerable = cases.filter((c) => c.expect === 'answer');
  const unanswerable = cases.filter((c) => c.expect === 'not_found');
  const hits = answerable.filter((c) => c.hit).length;
  const quotes = cases.flatMap((c) => c.quotes);
  const placeholderTotal = answerable.reduce((n, c) => n + c.placeholdersFlagged.length + c.placeholdersMissed.length, 0);
  const placeholderFlagged = answerable.reduce((n, c) => n + c.placeholdersFlagged.length, 0);
  const notFoundCorrect = unanswerable.filter((c) => c.abstainedCorrectly).length;
  const falseNotFound = answerable.filter((c) => c.falseNotFound).length;
  const quotesValid = quotes.filter((q) => q.valid).length;
  const medianAnswerChars = medianAnsweredChars(cases);
  const report: Omit<EvalReport, 'checks' | 'goals' | 'passed'> = {
    questions: cases.length,
    answerable: answerable.length,
    hits,
    hitAt3: ratio(hits, answerable.length),
    factCoverage: ratio(
      answerable.reduce((s, c) => s + (c.coverage ?? 0), 0),
      answerable.length,
    ),
    notFoundTotal: unanswerable.length,
    notFoundCorrect,
    notFoundAccuracy: unanswerable.length ? notFoundCorrect / unanswerable.length : 1,
    falseNotFound,
    placeholderTotal,
    placeholderFlagged,
    placeholderRecall: placeholderTotal ? placeholderFlagged / placeholderTotal : 1,
    quotesTotal: quotes.length,
    quotesValid,
    quoteValidity: ratio(quotesValid, quotes.length),
    medianAnswerChars,
    retrieval: retrievals ? retrievalTotals(answerable) : undefined,
    cases,
  };
  const checks = [
    { name: 'hit@3', value: fixed(report.hitAt3), required: `≥ ${THRESHOLDS.hitAt3}`, ok: report.hitAt3 >= THRESHOLDS.hitAt3 },
    { name: 'fact coverage', value: fixed(report.factCoverage), required: `≥ ${THRESHOLDS.factCoverage}`, ok: report.factCoverage >= THRESHOLDS.factCoverage },
    { name: 'not_found right', value: `${notFoundCorrect}/${unanswerable.length}`, required: 'all', ok: notFoundCorrect === unanswerable.length },
    { name: 'false not_found', value: String(falseNotFound), required: `≤ ${THRESHOLDS.maxFalseNotFound}`, ok: falseNotFound <= THRESHOLDS.maxFalseNotFound },
    { name: 'placeholders flagged', value: `${placeholderFlagged}/${placeholderTotal}`, required: 'all', ok: placeholderFlagged === placeholderTotal },
    { name: 'valid quotes', value: `${quotesValid}/${quotes.length}`, required: 'all', ok: report.quoteValidity === 1 },
    {
      name: 'median answer',
      value: `${medianAnswerChars} chars`,
      required: `≤ ${THRESHOLDS.maxMedianAnswerChars}`,
      ok: medianAnswerChars <= THRESHOLDS.maxMedianAnswerChars,
    },
  ];
  const goals = [
    { name: 'hit@3 (answers issue)', value: fixed(report.hitAt3), required: `≥ ${ANSWERS_ISSUE_GOALS.hitAt3}`, ok: report.hitAt3 >= ANSWERS_ISSUE_GOALS.hitAt3 },
  ];
  return { ...report, checks, goals, passed: checks.every((c) => c.ok) };
}

/** The median length of the answered answers, the upper median when even (as score.py computes it). */
function medianAnsweredChars(cases: CaseResult[]): number {
  const lengths = cases
    .filter((c) => c.status === 'answered')
    .map((c) => c.answer.length)
    .sort((a, b) => a - b);
  return lengths.length ? lengths[Math.floor(lengths.length / 2)]! : 0;
}

/** A count out of a total. */
export interface Share {
  n: number;
  of: number;
}

/** The figures of one part of a set (or of the whole set, `all`, when it has no parts). */
export interface PartFigures {
  part: Part | 'all';
  questions: number;
  /** Answerable questions whose gold source is among the first three citations. */
  hitAt3: Share;
  /**
   * Mean share of key facts stated, a refusal stating none (score.py would credit facts a refusal's "closest
   * documents" line happens to name); for SQuAD and QuAIL the one fact is the gold answer, so this is "gold answer
   * inside the answer".
   */
  factCoverage: number;
  /** Refusals (status not_found) of the unanswerable questions whose topic the corpus holds. */
  unanswerableRefused: Share;
  /** Refusals of the answerable questions whose document was removed. */
  removedRefused: Share;
  /** Answerable questions refused (one that expects a placeholder flag may be refused, as score.py counts). */
  falseRefusals: Share;
  /** Gold source among the first k fused chunks before composition (k = 3), when retrieval was measured. */
  retrievalAt3?: Share;
  medianAnswerChars: number;
}

const share = (cases: CaseResult[], test: (c: CaseResult) => boolean | undefined): Share => ({ n: cases.filter(test).length, of: cases.length });

/** A set's figures by part, in PARTS order; one `all` row for a set without parts. */
export function figuresByPart(cases: CaseResult[]): PartFigures[] {
  const parted = cases.some((c) => c.part);
  const groups = parted ? PARTS.map((part) => ({ part, cases: cases.filter((c) => c.part === part) })).filter((g) => g.cases.length) : [{ part: 'all' as const, cases }];
  return groups.map(({ part, cases: inPart }) => {
    const answerable = inPart.filter((c) => c.kind === 'answerable');
    const retrieved = answerable.filter((c) => c.goldChunkRank !== undefined);
    return {
      part,
      questions: inPart.length,
      hitAt3: share(answerable, (c) => c.hit),
      factCoverage: ratio(
        answerable.reduce((s, c) => s + (c.falseNotFound ? 0 : (c.coverage ?? 0)), 0),
        answerable.length,
      ),
      unanswerableRefused: share(
        inPart.filter((c) => c.kind === 'unanswerable'),
        (c) => c.status === 'not_found',
      ),
      removedRefused: share(
        inPart.filter((c) => c.kind === 'removed'),
        (c) => c.status === 'not_found',
      ),
      falseRefusals: share(answerable, (c) => c.falseNotFound),
      ...(retrieved.length ? { retrievalAt3: share(retrieved, (c) => c.goldChunkRank != null && c.goldChunkRank <= 3) } : {}),
      medianAnswerChars: medianAnsweredChars(inPart),
    };
  });
}

function rankOf(source: string, ranked: string[]): number | null {
  const at = ranked.indexOf(source);
  return at < 0 ? null : at + 1;
}

function retrievalTotals(answerable: CaseResult[]): RetrievalTotals {
  const recall = (ranks: (number | null | undefined)[]) =>
    Object.fromEntries(RECALL_DEPTHS.map((k) => [`@${k}`, ratio(ranks.filter((r) => r != null && r <= k).length, ranks.length)]));
  const mrr = (ranks: (number | null | undefined)[]) => ratio(ranks.reduce<number>((s, r) => s + (r ? 1 / r : 0), 0), ranks.length);
  const chunkRanks = answerable.map((c) => c.goldChunkRank);
  const evidenceRanks = answerable.map((c) => c.goldEvidenceRank);
  return {
    questions: answerable.length,
    chunkRecall: recall(chunkRanks),
    chunkMRR: mrr(chunkRanks),
    evidenceRecall: recall(evidenceRanks),
    evidenceMRR: mrr(evidenceRanks),
  };
}

/** What evaluation needs from the product: the same `ask` the CLI and bot use, and retrieval on its own. */
export type EvaluationTarget = Pick<Engine, 'ask' | 'retrieve'>;

/**
 * Asks every question through the target and scores the answers. A question the engine rejects as invalid is
 * recorded with status `invalid` (as `ask --batch` prints it), not thrown: one bad line must not hide the rest.
 * Questions sharing a `conversation` are asked in file order as one thread, as `ask --batch` does; retrieval is
 * then measured on the question as the engine understood it.
 */
export async function evaluate(target: EvaluationTarget, questions: EvalQuestion[], corpusDir: string): Promise<EvalReport> {
  const answers = new Map<string, ScoredAnswer>();
  const retrievals = new Map<string, RetrievedSources>();
  const conversations = new Map<string, Turn[]>();
  for (const q of questions) {
    try {
      const history = q.conversation === undefined ? undefined : (conversations.get(q.conversation) ?? []);
      const answer = await target.ask(q.question, { history });
      if (history) conversations.set(q.conversation!, withTurn(history, answer));
      answers.set(q.id, answer);
      retrievals.set(q.id, await target.retrieve(answer.understood ?? q.question));
    } catch (e) {
      if (!(e instanceof UserFacingError)) throw e;
      answers.set(q.id, { status: 'invalid', answer: e.message });
    }
  }
  return scoreAnswers(questions, answers, await corpusWords(corpusDir), retrievals);
}

/** A question set and the corpus it asks about. */
export interface DevSet {
  name: string;
  questions: string;
  corpusDir: string;
  /** The index directory's name under DATA_DIR/eval-index/: sets over one corpus share its index. */
  index: string;
  /** Whether score.py's thresholds on this set decide the exit code (the team's acceptance sets), or it is measured only. */
  acceptance: boolean;
}

export interface DevSetReport extends DevSet {
  report: EvalReport;
  parts: PartFigures[];
}

/**
 * The sets a run can name: the seed articles (questions and conversations), the other-sites set, the news
 * archive, the paraphrase questions (over the seeds and the other-sites set), and the labelled sets built from
 * public data by `npm run eval:sets` (SQuAD, QuAIL, the fresh real-news set, CLAPnq).
 */
export const DEV_SET_NAMES = ['seeds', 'web', 'archive', 'paraphrase', 'squad', 'quail', 'fresh', 'clapnq'] as const;
export type DevSetName = (typeof DEV_SET_NAMES)[number];
/** The sets `eval:sets` builds: questions.jsonl and corpus/ under `<setsDir>/<name>/`. */
const LABELLED = new Set<DevSetName>(['squad', 'quail', 'fresh', 'clapnq']);

/**
 * The question sets of the named dev sets. The archive and the labelled sets are third-party text kept outside the
 * repository (eval/archive/README.md, eval/README.md): each is included only when its directory exists, and
 * `skipped` says why it is not.
 */
export function devSets(names: readonly DevSetName[], archiveDir: string, setsDir: string): { sets: DevSet[]; skipped: string[] } {
  const sets: DevSet[] = [];
  const skipped: string[] = [];
  const team = (name: string, questions: string, corpusDir: string, index: string) => sets.push({ name, questions, corpusDir, index, acceptance: true });
  for (const name of names) {
    if (name === 'seeds') {
      team('seeds', 'eval/questions.jsonl', 'corpus', 'seeds');
      team('seeds (dev)', 'eval/dev-questions.jsonl', 'corpus', 'seeds');
      team('conversations', 'eval/conversations.jsonl', 'corpus', 'seeds');
      team('conversations (dev)', 'eval/dev-conversations.jsonl', 'corpus', 'seeds');
    } else if (name === 'web') {
      team('web', 'eval/web/questions.jsonl', 'eval/web/corpus', 'web');
    } else if (name === 'paraphrase') {
      sets.push({ name: 'paraphrase', questions: 'eval/paraphrase.jsonl', corpusDir: 'corpus', index: 'seeds', acceptance: false });
      sets.push({ name: 'paraphrase (web)', questions: 'eval/web/paraphrase.jsonl', corpusDir: 'eval/web/corpus', index: 'web', acceptance: false });
    } else if (name === 'archive') {
      if (existsSync(archiveDir)) team('archive', 'eval/archive/questions.jsonl', archiveDir, 'archive');
      else skipped.push(`archive: no archive at ${archiveDir} (set ARCHIVE_DIR; eval/archive/README.md says how to build it)`);
    } else if (LABELLED.has(name)) {
      const dir = join(setsDir, name);
      const questions = join(dir, 'questions.jsonl');
      if (existsSync(questions)) sets.push({ name, questions, corpusDir: join(dir, 'corpus'), index: name, acceptance: false });
      else skipped.push(`${name}: no ${questions} (build it with npm run eval:sets -- --from DIR; eval/README.md says how)`);
    }
  }
  return { sets, skipped };
}

/** Which questions of a labelled set a run asks. */
export interface Selection {
  /** Only this part's questions. */
  part?: Part;
  /** At most this many questions of each part, the same ones every run: the first in the order of a hash of their id. */
  limit?: number;
}

const idOrder = (id: string) => createHash('sha256').update(id).digest('hex');

/** The questions a selection keeps; a set without parts (the team's sets, conversations among them) is kept whole. */
export function selectQuestions(questions: EvalQuestion[], selection: Selection): EvalQuestion[] {
  if (!questions.some((q) => q.part)) return questions;
  const kept: EvalQuestion[] = [];
  for (const part of PARTS) {
    if (selection.part && selection.part !== part) continue;
    const inPart = questions.filter((q) => q.part === part);
    const sampled = selection.limit === undefined ? inPart : [...inPart].sort((a, b) => (idOrder(a.id) < idOrder(b.id) ? -1 : 1)).slice(0, selection.limit);
    const keep = new Set(sampled.map((q) => q.id));
    kept.push(...inPart.filter((q) => keep.has(q.id)));
  }
  return kept;
}

/**
 * Evaluates each dev set over its own corpus, with an index per corpus under DATA_DIR/eval-index/ that later runs
 * reuse (the archive takes a minute to ingest the first time; an index is rebuilt only when its corpus changed).
 */
export async function evaluateDevSets(
  config: Config,
  sets: DevSet[],
  onNotice: (message: string) => void,
  selection: Selection = {},
): Promise<DevSetReport[]> {
  const reports: DevSetReport[] = [];
  const engines = new Map<string, Engine>();
  for (const set of sets) {
    let engine = engines.get(set.corpusDir);
    if (!engine) {
      const indexDir = join(config.dataDir, 'eval-index', set.index);
      engine = await Engine.open({ ...config, corpusDir: set.corpusDir, indexDir }, { autoIngest: true, onNotice });
      engines.set(set.corpusDir, engine);
    }
    const questions = selectQuestions(await readQuestions(set.questions), selection);
    onNotice(`${set.name}: ${questions.length} questions of ${set.questions} over ${set.corpusDir}…`);
    const started = performance.now();
    const report = await evaluate(engine, questions, set.corpusDir);
    onNotice(`${set.name}: ${Math.round((performance.now() - started) / 1000)} s`);
    reports.push({ ...set, report, parts: figuresByPart(report.cases) });
  }
  return reports;
}
