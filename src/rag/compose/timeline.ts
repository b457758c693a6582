/**
 * Timelines: the dated events of a subject in date order, one line each, quoted and cited. An event is a sentence
 * about the subject with a date in its text ("on September 21, 2023"; "February 28", its year from the article's
 * date); a document whose sentences about the subject date nothing gives its lead sentence at its own publication
 * date. Copies of one event (the same story, or the same statement, on the same date) give one line; copies that
 * date it differently give one line that says so.
 */
import type { DatePrecision } from '../ingest/dates.js';
import type { Sentence } from '../search/hybrid-retriever.js';
import { countriesByRegion, terms } from '../text/terms.js';
import type { Citation, Timeline, TimelineEvent, TimelineRequest } from '../types.js';
import { SAME_SUBJECT, subjectOverlap } from './statements.js';
import { copyRank, type Statements, type StoryView } from './stories.js';

/** Words that ask for a timeline rather than say what it is about: "what happened between…, in order". */
const REQUEST_WORDS = new Set(terms('timeline chronology order happened happen events event history between since until when what how'));
/** Events whose sentences state less than this share of the subject's other words than the best ones are left out. */
const TOPICAL_SHARE = 0.5;
/** Characters of a quote on a timeline line. */
const MAX_QUOTE_CHARS = 300;
/**
 * Two sentences of copies of one story, dated the same, tell one event when they share a few of their words: a
 * reworded copy shares 0.24 ("the three nations announced their intent to withdraw from ECOWAS" / "the three
 * countries said they would leave ECOWAS") to 0.85; other events of one story rarely fall on the same date.
 */
const SAME_STORY_EVENT = 0.2;
/** Passages about the subject that date nothing, listed at most. */
const MAX_UNDATED = 5;

interface Region {
  /** Each country of the region as the terms of its name ("burkina", "faso"). */
  countries: string[][];
}

let regionTable: Map<string, Region> | undefined;

/** Continents by their term ("africa"), with their countries, from the country tables the terms already use. */
function regions(): Map<string, Region> {
  if (regionTable) return regionTable;
  regionTable = new Map();
  for (const [name, countries] of countriesByRegion()) {
    const [key] = terms(name);
    if (!key) continue;
    const region = regionTable.get(key) ?? { countries: [] };
    region.countries.push(...countries.map((country) => terms(country)));
    regionTable.set(key, region);
  }
  return regionTable;
}

interface Subject {
  /** Names (capitalised words) and numbers of the subject: every event must be about them. */
  names: string[];
  /** Its other words ("meetings"): events that state them rank first. */
  words: string[];
}

function subjectOf(text: string): Subject {
  const names = new Set<string>();
  const words = new Set<string>();
  for (const token of text.match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu) ?? []) {
    for (const t of terms(token)) {
      if (/^\p{Lu}/u.test(token) || /^\d/.test(t)) names.add(t);
      else if (!REQUEST_WORDS.has(t)) words.add(t);
    }
  }
  for (const n of names) words.delete(n);
  return { names: [...names].filter((n) => !REQUEST_WORDS.has(n)), words: [...words] };
}

/** Whether a set of terms mentions `name`: the name itself, or for a continent one of its countries. */
function mentions(set: Set<string>, name: string): boolean {
  if (set.has(name)) return true;
  const region = regions().get(name);
  return !!region && region.countries.some((country) => country.length > 0 && country.every((t) => set.has(t)));
}

/** How much of the subject a sentence is about: null when it misses a name, else the share of its words stated. */
function topicality(s: Sentence, subject: Subject): number | null {
  const around = new Set([...s.own, ...s.near]);
  const all = new Set([...around, ...s.context]);
  if (!subject.names.every((n) => mentions(all, n))) return null;
  if (subject.names.length && !subject.names.some((n) => mentions(around, n))) return null;
  if (!subject.words.length) return 1;
  return subject.words.filter((w) => around.has(w)).length / subject.words.length;
}

const cut = (iso: string, precision: DatePrecision) => iso.slice(0, precision === 'day' ? 10 : precision === 'month' ? 7 : 4);

/** Whether `key` falls within the bounds, each compared at the coarser of the two precisions (2024-01-28 is in "2024-01"). */
function within(key: string, since?: string, until?: string): boolean {
  const at = (a: string, b: string) => [a.slice(0, Math.min(a.length, b.length)), b.slice(0, Math.min(a.length, b.length))] as const;
  const after = !since || (([k, s]) => k >= s)(at(key, since));
  const before = !until || (([k, u]) => k <= u)(at(key, until));
  return after && before;
}

interface Found {
  sentence: Sentence;
  date: string;
  precision: DatePrecision;
  dateFrom: TimelineEvent['dateFrom'];
  year?: TimelineEvent['year'];
}

function quoteOf(s: Sentence): { quote: string; end: number } {
  if (s.text.length <= MAX_QUOTE_CHARS) return { quote: s.text, end: s.end };
  const quote = s.text.slice(0, s.text.lastIndexOf(' ', MAX_QUOTE_CHARS));
  return { quote, end: s.start + quote.length };
}

function citationOf(s: Sentence, n: number, view: StoryView): Citation {
  const { title, date } = view.document(s.source);
  const { quote, end } = quoteOf(s);
  return { n, source: s.source, title, ...(date ? { date } : {}), quote, start: s.start, end, score: 0 };
}

/** The dated events about `request.subject` in the given sentences, in date order. */
export function buildTimeline(request: TimelineRequest, sentences: Iterable<Sentence>, view: StoryView, statements: Statements): Timeline {
  const subject = subjectOf(request.subject);
  const scored: { s: Sentence; score: number }[] = [];
  for (const s of sentences) {
    if (s.text.trim().endsWith('?')) continue;
    const score = topicality(s, subject);
    if (score !== null) scored.push({ s, score });
  }
  const best = Math.max(0, ...scored.map((x) => x.score));
  const relevant = scored.filter((x) => x.score >= best * TOPICAL_SHARE).map((x) => x.s);

  const found: Found[] = [];
  const undated: Sentence[] = [];
  const bySource = new Map<string, Sentence[]>();
  for (const s of relevant) bySource.set(s.source, [...(bySource.get(s.source) ?? []), s]);
  for (const [source, list] of bySource) {
    const published = view.document(source).date;
    let dated = false;
    for (const s of list) {
      const dates = statements.datesIn(source, s.text);
      // "on January 26, 2023, the last stop of his January tour": the month is the day's, not another event.
      const finest = dates.filter((d) => !dates.some((o) => o !== d && o.date.startsWith(cut(d.date, d.precision)) && o.precision !== d.precision && cut(o.date, o.precision).length > cut(d.date, d.precision).length));
      for (const d of finest) {
        found.push({ sentence: s, date: cut(d.date, d.precision), precision: d.precision, dateFrom: 'text', year: d.year });
        dated = true;
      }
    }
    // The text dates nothing about the subject: its first passage about it stands at the document's own date.
    if (!dated && published) found.push({ sentence: list[0]!, date: published, precision: 'day', dateFrom: 'document' });
    else if (!dated) undated.push(list[0]!);
  }

  const inRange = found.filter((f) => within(f.date, request.since, request.until));
  inRange.sort((a, b) => a.date.localeCompare(b.date) || a.sentence.source.localeCompare(b.sentence.source) || a.sentence.position - b.sentence.position);
  const events: { found: Found[]; otherDates: Found[] }[] = [];
  const sameStory = (a: Found, b: Found) => {
    const story = view.storyOf(a.sentence.source);
    return !!story && story === view.storyOf(b.sentence.source);
  };
  const overlap = (a: Found, b: Found) => (a.sentence.source === b.sentence.source ? 0 : subjectOverlap(statements.of(a.sentence), statements.of(b.sentence)));
  for (const f of inRange) {
    // Copies of one story on one date tell one event, however reworded; other documents must say the same thing.
    const sameDay = events.find(
      (e) => e.found[0]!.date === f.date && e.found.some((g) => overlap(g, f) >= (sameStory(g, f) ? SAME_STORY_EVENT : SAME_SUBJECT)),
    );
    if (sameDay) {
      sameDay.found.push(f);
      continue;
    }
    // A copy of the same story telling the same event on another date: one line, which says the copies disagree.
    const otherDay = events.find((e) => e.found.some((g) => sameStory(g, f) && overlap(g, f) >= SAME_SUBJECT));
    if (otherDay) otherDay.otherDates.push(f);
    else events.push({ found: [f], otherDates: [] });
  }

  let n = 0;
  const timelineEvents: TimelineEvent[] = events.map(({ found: copies, otherDates }) => {
    const ordered = [...copies].sort((a, b) => copyRank(view, a.sentence.source) - copyRank(view, b.sentence.source));
    const first = ordered[0]!;
    return {
      date: first.date,
      precision: first.precision,
      text: quoteOf(first.sentence).quote,
      citations: ordered.map((f) => citationOf(f.sentence, ++n, view)),
      dateFrom: first.dateFrom,
      ...(first.year ? { year: first.year } : {}),
      ...(otherDates.length ? { otherDates: otherDates.map((f) => ({ date: f.date, citation: citationOf(f.sentence, ++n, view) })) } : {}),
    };
  });
  // A copy whose story is on the timeline through another copy adds nothing by being undated.
  const placed = new Set(found.map((f) => view.storyOf(f.sentence.source)).filter((s) => s));
  return {
    subject: request.subject,
    events: timelineEvents,
    undated: undated
      .filter((s) => !placed.has(view.storyOf(s.source)))
      .slice(0, MAX_UNDATED)
      .map((s) => citationOf(s, ++n, view)),
  };
}
