/**
 * Dates as articles state them ("2025-05-21T08:30:00+00:00", "Thursday, 11 September 2025", "Sept. 3, 2024"),
 * read into ISO yyyy-mm-dd so every front end can show and compare them the same way.
 */

import { MONTH_NAMES, MONTH_PATTERN as MONTH, monthNumber } from '../text/calendar.js';

const ISO = /(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)/;
const DAY_MONTH_YEAR = new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+${MONTH}\\s*,?\\s+(\\d{4})\\b`, 'i');
const MONTH_DAY_YEAR = new RegExp(`\\b${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})\\b`, 'i');

function iso(year: string, month: number, day: number): string | undefined {
  const y = Number(year);
  if (month < 1 || month > 12 || day < 1 || day > 31 || y < 1900 || y > 2200) return undefined;
  const date = new Date(Date.UTC(y, month - 1, day));
  if (date.getUTCDate() !== day) return undefined; // 31 June and the like
  return date.toISOString().slice(0, 10);
}

/** "2024-10-08" → "October 2024": the month and year a dated document is about, in the words questions use. */
export function monthAndYear(isoDay: string): string {
  const [year, month] = isoDay.split('-');
  const name = MONTH_NAMES[Number(month) - 1];
  return name && year ? `${name} ${year}` : '';
}

/** The first calendar date written in `text`, as yyyy-mm-dd; undefined when there is none. */
export function isoDate(text: string): string | undefined {
  const m = ISO.exec(text);
  if (m) return iso(m[1]!, Number(m[2]), Number(m[3]));
  const dmy = DAY_MONTH_YEAR.exec(text);
  if (dmy) return iso(dmy[3]!, monthNumber(dmy[2]!), Number(dmy[1]));
  const mdy = MONTH_DAY_YEAR.exec(text);
  if (mdy) return iso(mdy[3]!, monthNumber(mdy[1]!), Number(mdy[2]));
  return undefined;
}

/** How exactly a date in the text is known. */
export type DatePrecision = 'day' | 'month' | 'year';

/**
 * Where a date's year comes from: written beside it ("September 21, 2023"); the document's publication date
 * ("February 28" in an article of 2024-02-20, "last February"); or, in an undated document, the latest date the
 * document itself writes in full (the article cannot be older than what it reports).
 */
export type YearSource = 'stated' | 'publication' | 'inferred';

/** A date written in a text: where it stands, what it says, and how sure its year is. */
export interface TextDate {
  /** The words as written ("last February", "on September 21, 2023"). */
  text: string;
  start: number;
  end: number;
  /** ISO yyyy-mm-dd; the first day of the month or year when only those are known. */
  date: string;
  precision: DatePrecision;
  year: YearSource;
}

/** Capitalised month names: "may" and "march" in lower case are far more often verbs. */
const CAPITALISED_MONTH = new RegExp(`\\b(?:${MONTH_NAMES.join('|')}|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\\.)`);
const ANY_MONTH = new RegExp(`\\b${MONTH}`, 'i');
/** "last February", "next March": the month before or after the reference date, which chrono-node reads as the nearest. */
const RELATIVE_MONTH = /\b(last|next|this)\s+$/i;
/**
 * A year standing alone after a word that makes it a time ("signed in 1999", "since 2019"), not a quantity or a
 * code; not one end of a range ("2024-2026"), which is a span rather than when something happened.
 */
const BARE_YEAR = /\b(?:in|since|by|from|until|during|early|late|mid-?|of)\s+((?:19|20)\d{2})\b(?![-–/]\d)/gi;

let chronoParser: typeof import('chrono-node/en') | undefined;

/** chrono-node, loaded on first use: answers that cite no date never pay for it. */
async function loadChrono(): Promise<typeof import('chrono-node/en')> {
  chronoParser ??= await import('chrono-node/en');
  return chronoParser;
}

/** Loads the date tagger; datesIn is synchronous once this has resolved (the engine awaits it when it opens). */
export const prepareDateTagger = (): Promise<unknown> => loadChrono();

const isoOf = (y: number, m: number, d: number) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

const FULL_DATES = [ISO, DAY_MONTH_YEAR, MONTH_DAY_YEAR].map((r) => new RegExp(r.source, 'gi'));

/**
 * The latest date a text writes in full ("September 21, 2023", "2024-01-28"), without the tagger: what an undated
 * document's yearless dates are read against. Undefined when it writes none.
 */
export function latestWrittenDate(text: string): string | undefined {
  let latest: string | undefined;
  for (const pattern of FULL_DATES) {
    for (const m of text.matchAll(pattern)) {
      const date = isoDate(m[0]);
      if (date && (!latest || date > latest)) latest = date;
    }
  }
  return latest;
}

/** The latest date a text writes in full (with its year), as a reference for an undated document's other dates. */
function latestStated(found: TextDate[]): string | undefined {
  return found.filter((d) => d.year === 'stated' && d.precision === 'day').map((d) => d.date).sort().at(-1);
}

/**
 * The dates written in `text`, in order. chrono-node reads them ("on September 21, 2023", "February 28", "on
 * Monday", "last year"); a month without a year takes it from `published` (the document's date, ISO), or else from
 * the latest full date the text states; relative words ("last year", "on Monday") need `published` and are left out
 * without it. Lower-case month names are verbs here, not dates; a year standing alone counts after a preposition.
 * `undatedReference` stands in for a missing publication date (latestWrittenDate of the whole document, when
 * `text` is a passage of it). With `yearless`, a month and day that nothing gives a year to are kept too (year
 * 'inferred', an arbitrary one): enough to compare "February 28" with "March 1". Call prepareDateTagger() once first.
 */
export function datesIn(text: string, published?: string, { yearless = false, undatedReference }: { yearless?: boolean; undatedReference?: string } = {}): TextDate[] {
  const chrono = chronoParser;
  if (!chrono) throw new Error('datesIn called before prepareDateTagger()');
  const absolute = published || undatedReference ? [] : read(chrono, text, undefined).filter((d) => d.year === 'stated');
  const reference = published ?? undatedReference ?? latestStated(absolute);
  const found = reference
    ? read(chrono, text, reference).map((d) => (d.year === 'publication' && !published ? { ...d, year: 'inferred' as const } : d))
    : yearless
      ? read(chrono, text, YEARLESS_REFERENCE, true).map((d) => (d.year === 'publication' ? { ...d, year: 'inferred' as const } : d))
      : absolute;
  for (const m of text.matchAll(BARE_YEAR)) {
    const start = m.index + m[0].length - m[1]!.length;
    if (found.some((d) => d.start <= start && start < d.end)) continue;
    found.push({ text: m[1]!, start, end: start + 4, date: `${m[1]}-01-01`, precision: 'year', year: 'stated' });
  }
  return found.sort((a, b) => a.start - b.start);
}

/**
 * Where a date may be written: a capitalised month, a weekday, a relative day, week, month or year, a numeric date.
 * chrono-node runs only on a short window around each (about 12 s per MB of news text when it reads everything,
 * a small fraction of that over windows).
 */
const DATE_CUE =
  /\b(?:(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|yesterday|today|tomorrow|(?:last|next|this|past)\s+(?:year|month|week)|\d{4}-\d{2}-\d{2}|\d{1,2}\/\d{1,2}\/\d{2,4})\b/g;
/** Characters each side of a cue that a date written around it may take ("Monday, January 23, 2023"). */
const CUE_WINDOW = 24;
/** Relative words: their date depends on when the text was written, so they need a publication date. */
const RELATIVE = /\b(?:last|next|this|past|ago|yesterday|today|tomorrow|tonight)\b|^\s*(?:on\s+)?(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\s*$/i;

/** Stretches of `text` around its date cues, overlapping ones merged, cut at spaces. */
function cueWindows(text: string): [number, number][] {
  const windows: [number, number][] = [];
  for (const m of text.matchAll(DATE_CUE)) {
    let from = Math.max(0, m.index - CUE_WINDOW);
    let to = Math.min(text.length, m.index + m[0].length + CUE_WINDOW);
    while (from > 0 && /\S/.test(text[from - 1]!) && from > m.index - 2 * CUE_WINDOW) from--;
    while (to < text.length && /\S/.test(text[to]!) && to < m.index + m[0].length + 2 * CUE_WINDOW) to++;
    const last = windows.at(-1);
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else windows.push([from, to]);
  }
  return windows;
}

/** The reference a yearless reading resolves against: any year will do, since such years are never compared. */
const YEARLESS_REFERENCE = '2000-07-01';

function read(chrono: typeof import('chrono-node/en'), text: string, reference: string | undefined, yearless = false): TextDate[] {
  const instant = reference ? new Date(`${reference}T12:00:00Z`) : new Date(Date.UTC(2000, 0, 1));
  const out: TextDate[] = [];
  for (const [from, to] of cueWindows(text)) {
    for (const r of chrono.parse(text.slice(from, to), { instant, timezone: 0 })) {
      const date = dateOf(r, text, from + r.index, reference);
      // Without a real reference, relative words ("on Monday", "last year") say nothing.
      if (date && yearless && RELATIVE.test(r.text)) continue;
      if (date) out.push(date);
    }
  }
  return out;
}

/** One chrono-node result as a TextDate, or null when it is no date of something (a time, a verb, no reference). */
function dateOf(r: import('chrono-node/en').ParsedResult, text: string, index: number, reference: string | undefined): TextDate | null {
  const known = r.start;
  // What chrono-node reads beside a cue without being a date itself ("for two days", "at 10") is left out.
  if (!new RegExp(DATE_CUE.source).test(r.text)) return null;
  const relative = RELATIVE.test(r.text);
  const hasYear = known.isCertain('year') && !relative;
  const hasMonth = known.isCertain('month');
  const hasDay = known.isCertain('day');
  // A written month must be capitalised; a time of day alone is no date; relative words need a reference.
  if (ANY_MONTH.test(r.text) && !CAPITALISED_MONTH.test(r.text)) return null;
  if (!hasYear && !hasMonth && !hasDay && !relative) return null;
  if (!hasYear && !reference) return null;
  const at = known.date();
  let year = at.getUTCFullYear();
  const month = at.getUTCMonth() + 1;
  const before = RELATIVE_MONTH.exec(text.slice(Math.max(0, index - 6), index));
  let start = index;
  if (before && hasMonth && !hasYear && reference) {
    const [refYear, refMonth] = reference.split('-').map(Number) as [number, number];
    const word = before[1]!.toLowerCase();
    year = word === 'last' ? (month < refMonth ? refYear : refYear - 1) : word === 'next' ? (month > refMonth ? refYear : refYear + 1) : refYear;
    start = index - before[0].length;
  }
  // "last year" says only a year, "this month" a month: chrono gives them a day, which the words do not.
  const precision: DatePrecision = /\byear\b/i.test(r.text) && !hasMonth ? 'year' : /\bmonth\b/i.test(r.text) ? 'month' : hasDay || relative ? 'day' : hasMonth ? 'month' : 'year';
  return {
    text: text.slice(start, index + r.text.length),
    start,
    end: index + r.text.length,
    date: isoOf(year, precision === 'year' ? 1 : month, precision === 'day' ? at.getUTCDate() : 1),
    precision,
    year: hasYear ? 'stated' : 'publication',
  };
}
