/**
 * Reports that disagree. For each sentence an answer cites, the other documents' sentences about the same thing
 * (the answering evidence, and the cited story's other copies) are read for a different value of the same kind: a
 * date where it has another, a figure of the same thing. Each disagreement is cited and shown beside the answer's
 * value, with both sources and their dates. Values about different things (the 2023 visit, the 2024 talks) are not
 * compared: the sentences must be about the same thing (statements.ts).
 */
import { ABOUT_COVERAGE, type Evidence, type Sentence } from '../search/hybrid-retriever.js';
import { MONTH_NAMES, WEEKDAY_NAMES } from '../text/calendar.js';
import type { Citation, Conflict, ConflictValue } from '../types.js';
import { disagreements, SAME_SUBJECT, subjectOverlap, type StatedValue } from './statements.js';
import { copiesToRead, mayShareSubject, type Statements, type StoryView } from './stories.js';

/**
 * Sentences of two different stories must be closer still to be held to the same values: independent reports of a
 * recurring thing ("the rate was cut to 4.5%" in two months' bulletins) are worded alike and are not in conflict.
 * Above what copies share of a reworded sentence (0.62–0.85 on the desk set), so only a near repetition counts.
 */
const OTHER_STORY_SUBJECT = 0.85;
/** …and their documents published within this many days of each other (or either undated). */
const OTHER_STORY_DAYS = 7;
/** Characters of a quote shown for a disagreeing source. */
const MAX_QUOTE_CHARS = 300;

const DAY_MS = 86_400_000;

function closeInTime(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return true;
  return Math.abs(Date.parse(a) - Date.parse(b)) <= OTHER_STORY_DAYS * DAY_MS;
}

/** Titles and words of dates: capitalised, but not whom or what a sentence is about. */
const NOT_NAMES = new RegExp(
  `^(?:Foreign|Minister|Ministers|President|Prime|Secretary|General|Deputy|International|Relations|Chancellor|Mr|Mrs|Ms|Dr|Sir|Lord|Captain|Colonel|The|${[...MONTH_NAMES, ...WEEKDAY_NAMES].join('|')})$`,
);
/** Names shown in what a disagreement is about. */
const ABOUT_NAMES = 3;

/** Names (runs of capitalised words, titles left out) that both sentences write: whom and what they are about. */
function sharedNames(a: string, b: string): string[] {
  const names: string[] = [];
  for (const run of a.match(/\p{Lu}[\p{L}'’-]*(?:\s+\p{Lu}[\p{L}'’-]*)*/gu) ?? []) {
    let current: string[] = [];
    const flush = () => {
      const name = current.join(' ').replace(/['’]s$/, '');
      if (name && b.includes(name) && !names.includes(name)) names.push(name);
      current = [];
    };
    for (const word of run.split(/\s+/)) {
      if (NOT_NAMES.test(word.replace(/['’]s$/, ''))) flush();
      else current.push(word);
    }
    flush();
  }
  // Full names (two words or more) say most about whom; then the rest in the order written.
  return [...names.filter((n) => n.includes(' ')), ...names.filter((n) => !n.includes(' '))].slice(0, ABOUT_NAMES);
}

/** "date (Lavrov, Diop, Moscow)", "tons of grain (Russia, Mali)": what the disagreeing values are of. */
function aboutOf(value: StatedValue, a: Sentence, b: Sentence): string {
  const names = sharedNames(a.text, b.text);
  const what =
    value.kind === 'date'
      ? 'date'
      : value.unit === '$'
        ? 'amount'
        : (a.text.slice(value.end, value.end + 60).match(/^\s*((?:[\p{L}'’-]+\s*){1,3})/u)?.[1] ?? 'figure').trim().replace(/\s+(?:to|for|in|on|at|by|and)$/i, '');
  return `${what}${names.length ? ` (${names.join(', ')})` : ''}`;
}

export interface FoundConflicts {
  conflicts: Conflict[];
  /** Citations added for the disagreeing sources, numbered after the answer's own. */
  added: Citation[];
}

/** The disagreements between what `citations` quote and the rest of the answering evidence. */
export function findConflicts(citations: Citation[], evidence: Evidence[], view: StoryView, statements: Statements): FoundConflicts {
  const conflicts: Conflict[] = [];
  const added: Citation[] = [];
  const answering = evidence.filter((e) => e.coverage >= ABOUT_COVERAGE).map((e) => e.sentence);
  const seen = new Set<string>();
  for (const c of citations) {
    const cited = view.sentencesOf(c.source).find((s) => s.start <= c.start && c.start < s.end);
    if (!cited) continue;
    const mine = statements.of(cited);
    if (!mine.values.length) continue;
    const story = view.storyOf(c.source);
    const copies = copiesToRead(view, c.source).flatMap((d) => view.sentencesOf(d));
    const published = view.document(c.source).date;
    const others = [...copies, ...answering.filter((s) => s.source !== c.source)];
    const byValue = new Map<string, { about: string; mine: StatedValue; theirs: StatedValue; sentence: Sentence }[]>();
    for (const other of others) {
      const sameStory = !!story && view.storyOf(other.source) === story;
      if (!mayShareSubject(cited, other)) continue;
      const theirs = statements.of(other);
      const overlap = subjectOverlap(mine, theirs);
      if (overlap < (sameStory ? SAME_SUBJECT : OTHER_STORY_SUBJECT)) continue;
      if (!sameStory && !closeInTime(published, view.document(other.source).date)) continue;
      for (const [a, b] of disagreements(mine, theirs)) {
        const key = `${a.kind}:${a.key}`;
        const list = byValue.get(key) ?? [];
        if (!list.some((x) => x.sentence.source === other.source)) list.push({ about: aboutOf(a, cited, other), mine: a, theirs: b, sentence: other });
        byValue.set(key, list);
      }
    }
    for (const [key, found] of byValue) {
      if (seen.has(`${c.source}:${key}`)) continue;
      seen.add(`${c.source}:${key}`);
      const values: ConflictValue[] = [{ value: found[0]!.mine.text, source: c.source, ...dated(view, c.source), n: c.n }];
      for (const f of found) {
        // A source already cited for the same sentence is not cited twice.
        const existing = [...citations, ...added].find((x) => x.source === f.sentence.source && x.start === f.sentence.start);
        const n = existing?.n ?? citations.length + added.length + 1;
        if (!existing) added.push(citationOf(f.sentence, n, view));
        values.push({ value: f.theirs.text, source: f.sentence.source, ...dated(view, f.sentence.source), n });
      }
      conflicts.push({ about: found[0]!.about, values });
    }
  }
  return { conflicts, added };
}

const dated = (view: StoryView, source: string) => {
  const date = view.document(source).date;
  return date ? { date } : {};
};

function citationOf(s: Sentence, n: number, view: StoryView): Citation {
  const quote = s.text.length > MAX_QUOTE_CHARS ? `${s.text.slice(0, s.text.lastIndexOf(' ', MAX_QUOTE_CHARS))}` : s.text;
  const { title, date } = view.document(s.source);
  return { n, source: s.source, title, ...(date ? { date } : {}), quote, start: s.start, end: s.start + quote.length, score: 0 };
}

/** "The reports disagree on the date (Lavrov, Diop): “February 28” [1] (004.txt) and “March 1” [4] (copy.txt, 2024-02-28)." */
export function conflictSentence(conflict: Conflict): string {
  const values = conflict.values.map((v) => `“${v.value}” [${v.n}] (${v.source}${v.date ? `, ${v.date}` : ''})`);
  return `The reports disagree on the ${conflict.about}: ${values.slice(0, -1).join(', ')} and ${values.at(-1)}.`;
}
