/**
 * A labelled set turned into corpus tasks: a corpus directory and questions over it, each with a `kind` and a
 * `part`. Decisions are fitted on the `fit` part, tuned on `check`, and reported once on `final`.
 *
 * - The split is by group of documents (a SQuAD title, otherwise one article), so no part ever sees a paragraph
 *   of an article another part asks about. Groups are ordered by a hash of the seed and their name: a fixed seed
 *   gives the same parts on any machine, and adding a group moves no other.
 * - `removedShare` of each part's documents is left out of the corpus; the answerable questions about them become
 *   `removed` tasks (expect not_found), unless another document still answers them: one holding a gold answer, every
 *   name and number of the question and at least half its other words (then they are dropped, with the reason).
 * - The dataset's own unanswerable questions keep their document in the corpus (`unanswerable`); those whose
 *   document was removed are dropped, being neither kind.
 */
import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { normalize, PARTS, TASK_KINDS, type Part, type TaskKind } from '../evaluate.js';
import type { GitOrigin } from './git-source.js';

export interface SplitPlan {
  seed: string;
  /** Share of the groups in each part. */
  shares: Record<Part, number>;
  /** Share of each part's documents left out of the corpus. */
  removedShare: number;
}

/** The split every set uses; recorded in each set's manifest.json. */
export const SPLIT_PLAN: SplitPlan = { seed: 'issue-19', shares: { fit: 0.5, check: 0.25, final: 0.25 }, removedShare: 0.2 };

export interface SourceDocument {
  /** The corpus file name. */
  file: string;
  text: string;
  /** Documents of one group fall in the same part. */
  group: string;
  /** A document no question is about (QuAIL's non-news texts): always in the corpus, in no part. */
  distractor?: boolean;
}

export interface SourceQuestion {
  id: string;
  question: string;
  /** The document that answers it; for an unanswerable question, the document it was written beside. */
  source: string;
  answerable: boolean;
  /** Every gold answer string (SQuAD, QuAIL): the answer holds the gold answer when it holds any of them. */
  answers?: string[];
  /** Key facts, each a list of alternatives; when absent, one fact whose alternatives are `answers`. */
  facts?: string[][];
  /** What else the source records that analysis may want (QuAIL's question type, SQuAD's plausible answers). */
  extra?: Record<string, unknown>;
}

/** One line of questions.jsonl: the shared question format plus `kind`, `part` and, where known, `answers`. */
export interface CorpusTask {
  id: string;
  question: string;
  expect: 'answer' | 'not_found';
  source: string;
  facts: string[][];
  flags: string[];
  kind: TaskKind;
  part: Part;
  answers?: string[];
  [extra: string]: unknown;
}

export interface LabelledSet {
  name: string;
  origin: GitOrigin[];
  documents: SourceDocument[];
  questions: SourceQuestion[];
  /** How the corpus files were made from the source, for the manifest. */
  notes: string[];
}

export interface BuiltSet {
  name: string;
  corpus: SourceDocument[];
  removed: string[];
  tasks: CorpusTask[];
  dropped: { id: string; reason: string }[];
  partOfGroup: Map<string, Part>;
}

const rank = (seed: string, label: string, key: string) => createHash('sha256').update(`${seed}\0${label}\0${key}`).digest('hex');

function byRank<T>(items: T[], seed: string, label: string, key: (item: T) => string): T[] {
  return items
    .map((item) => ({ item, r: rank(seed, label, key(item)) }))
    .sort((a, b) => (a.r < b.r ? -1 : a.r > b.r ? 1 : 0))
    .map((x) => x.item);
}

/** Each group's part: the first groups in hash order go to `fit`, the next to `check`, the rest to `final`. */
export function assignParts(groups: string[], plan: SplitPlan): Map<string, Part> {
  const ordered = byRank([...new Set(groups)], plan.seed, 'part', (g) => g);
  const fit = Math.round(plan.shares.fit * ordered.length);
  const check = Math.round(plan.shares.check * ordered.length);
  return new Map(ordered.map((g, i) => [g, i < fit ? 'fit' : i < fit + check ? 'check' : 'final']));
}

/** The documents left out of the corpus: `removedShare` of each part's documents, in hash order. */
export function chooseRemoved(documents: SourceDocument[], partOfGroup: Map<string, Part>, plan: SplitPlan): Set<string> {
  const removed = new Set<string>();
  for (const part of PARTS) {
    const inPart = documents.filter((d) => !d.distractor && partOfGroup.get(d.group) === part);
    const ordered = byRank(inPart, plan.seed, 'removed', (d) => d.file);
    for (const d of ordered.slice(0, Math.round(plan.removedShare * inPart.length))) removed.add(d.file);
  }
  return removed;
}

/** Words that say what is asked, not what it is about: left out of the share of question words a document must hold. */
const FUNCTION_WORDS = new Set(
  ('what which when where who whom whose why how many much does did do is are was were the and for from with into that this ' +
    'these those their there they them his her its has have had been being not but than then also about after before during ' +
    'over under between other some most more such can could would should will shall may might must any each every')
    .split(' '),
);

/** The question's names and numbers (capitalised words after the first, figures) and its other content words. */
export function questionClues(question: string): { names: string[]; words: string[] } {
  const tokens = question.match(/[\p{L}\p{N}][\p{L}\p{N}'’.-]*/gu) ?? [];
  const names: string[] = [];
  const words: string[] = [];
  tokens.forEach((raw, i) => {
    const token = raw.replace(/[.'’-]+$/, '');
    const folded = normalize(token);
    if (!folded || FUNCTION_WORDS.has(folded)) return;
    if (/\p{N}/u.test(token) || (i > 0 && /^\p{Lu}/u.test(token))) names.push(folded);
    else if (folded.length >= 3) words.push(folded);
  });
  return { names, words };
}

const padded = (text: string) => ` ${normalize(text)} `;
const holds = (haystack: string, needle: string) => normalize(needle) !== '' && haystack.includes(padded(needle));

/**
 * Whether a document still answers `q`: it holds every fact (one of its alternatives), every name and number of
 * the question, and at least half of its other content words. `text` is the document normalised and padded.
 */
export function documentAnswers(text: string, q: SourceQuestion): boolean {
  const facts = q.facts ?? (q.answers ? [q.answers] : []);
  if (!facts.length || !facts.every((alternatives) => alternatives.some((a) => holds(text, a)))) return false;
  const { names, words } = questionClues(q.question);
  if (!names.every((n) => text.includes(` ${n} `))) return false;
  const present = words.filter((w) => text.includes(` ${w} `)).length;
  return present * 2 >= words.length;
}

/** The corpus tasks of a labelled set, split and with a share of its documents removed as SPLIT_PLAN says. */
export function buildTasks(set: LabelledSet, plan: SplitPlan = SPLIT_PLAN): BuiltSet {
  const asked = set.documents.filter((d) => !d.distractor);
  const partOfGroup = assignParts(
    asked.map((d) => d.group),
    plan,
  );
  const removed = chooseRemoved(set.documents, partOfGroup, plan);
  const corpus = set.documents.filter((d) => !removed.has(d.file));
  const groupOf = new Map(asked.map((d) => [d.file, d.group]));
  const remainingTexts = corpus.map((d) => padded(d.text));
  const tasks: CorpusTask[] = [];
  const dropped: BuiltSet['dropped'] = [];
  for (const q of set.questions) {
    const group = groupOf.get(q.source);
    if (group === undefined) throw new Error(`${set.name}: question ${q.id} names ${q.source}, which is no document of the set`);
    const part = partOfGroup.get(group)!;
    const isRemoved = removed.has(q.source);
    if (isRemoved && !q.answerable) {
      dropped.push({ id: q.id, reason: 'unanswerable question about a removed document' });
      continue;
    }
    if (isRemoved && remainingTexts.some((text) => documentAnswers(text, q))) {
      dropped.push({ id: q.id, reason: 'its document was removed, but another document still answers it' });
      continue;
    }
    const kind: TaskKind = isRemoved ? 'removed' : q.answerable ? 'answerable' : 'unanswerable';
    tasks.push({
      id: q.id,
      question: q.question,
      expect: kind === 'answerable' ? 'answer' : 'not_found',
      source: q.source,
      facts: kind === 'answerable' ? (q.facts ?? (q.answers ? [q.answers] : [])) : [],
      flags: [],
      kind,
      part,
      ...(q.answers ? { answers: q.answers } : {}),
      ...q.extra,
    });
  }
  return { name: set.name, corpus, removed: [...removed].sort(), tasks, dropped, partOfGroup };
}

/** Tasks counted by part and kind, as the manifest and the build report print them. */
export function countTasks(tasks: CorpusTask[]): Record<Part, Record<TaskKind, number>> {
  const counts = Object.fromEntries(PARTS.map((p) => [p, Object.fromEntries(TASK_KINDS.map((k) => [k, 0]))])) as Record<Part, Record<TaskKind, number>>;
  for (const t of tasks) counts[t.part][t.kind]++;
  return counts;
}

/**
 * Writes `<outDir>/<name>/`: `corpus/` (one file per document left in), `questions.jsonl` and `manifest.json`
 * (origin, split plan, each group's part, the removed documents, the counts and every dropped question). What was
 * there before is replaced, so no file of an earlier build lingers in the corpus.
 */
export async function writeSet(outDir: string, set: LabelledSet, built: BuiltSet, plan: SplitPlan = SPLIT_PLAN): Promise<string> {
  const dir = join(outDir, set.name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'corpus'), { recursive: true });
  for (const d of built.corpus) await writeFile(join(dir, 'corpus', d.file), d.text.endsWith('\n') ? d.text : `${d.text}\n`);
  await writeFile(join(dir, 'questions.jsonl'), built.tasks.map((t) => JSON.stringify(t)).join('\n') + '\n');
  const manifest = {
    set: set.name,
    origin: set.origin,
    notes: set.notes,
    plan,
    parts: Object.fromEntries(PARTS.map((p) => [p, [...built.partOfGroup].filter(([, part]) => part === p).map(([g]) => g)])),
    documents: { inCorpus: built.corpus.length, distractors: built.corpus.filter((d) => d.distractor).length, removed: built.removed },
    counts: countTasks(built.tasks),
    dropped: built.dropped,
  };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return dir;
}
