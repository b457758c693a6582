/**
 * Sentence boundaries with exact offsets, so every quote is `text.slice(start, end)`.
 *
 * Base: ICU's sentence segmenter, built into Node as Intl.Segmenter and maintained with ICU. It handles decimals,
 * ellipses, quoted speech, "?!" and line breaks, costs nothing to load and reports offsets. The npm splitters were
 * measured on the same tricky news sentences and sizes (100 KB to 5 MB, 1 MB without a newline, 200,000 lines):
 * sbd is fast and knows abbreviations but returns strings, not offsets, and leaves glued sentences ("Bamako.Lavrov")
 * whole; sentence-splitter and compromise are slow past 1 MB; wink-nlp needs a model load. Each of them knows
 * abbreviations only from a fixed list, which is what the thin layer below adds to ICU:
 *
 * 1. Speed. V8's segmenter costs O(length) per break it reports, so one call over a whole document is quadratic
 *    (a 169 KB file took 70 s). It is only ever given bounded windows, which makes the split linear.
 * 2. Abbreviations. ICU (V8 ignores the `ss` locale extension) breaks after "Mr.", "St.", "U.S." and initials
 *    ("S. Jaishankar"): a break after a title, an initial or a dotted acronym is removed again; one after "No.",
 *    "Jan." or "Art." only when a number follows ("in Jan. The talks…" still ends a sentence).
 * 3. Glued sentences. "in Bamako.Lavrov met" (model replies, scraped text) gets the break ICU cannot see.
 * 4. Quotes of several sentences before their attribution ('"… grouping. It is …," he said.') stay one sentence.
 */

import { MONTH_ABBREVIATIONS } from './calendar.js';

/** The words of a text, as runs of characters other than white space. */
export const wordCount = (text: string) => text.match(/\S+/g)?.length ?? 0;

export interface SentenceSpan {
  start: number;
  end: number;
  text: string;
}

/** Made on first use: ICU loads its sentence rules then (some 15 ms), which answering a question never needs. */
let segmenter: Intl.Segmenter | undefined;

/** Characters per segmenter call: measured fastest between 256 and 4096. */
const WINDOW = 1024;

/** Titles, place prefixes and "versus" (as in court cases: "Abbott v. Burke"): a name follows, so never a sentence end. */
const BEFORE_NAME = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'gen', 'col', 'lt', 'maj', 'capt', 'sgt', 'adm', 'cmdr', 'brig',
  'sen', 'rep', 'gov', 'pres', 'amb', 'hon', 'rev', 'fr', 'st', 'mt', 'ft', 'vs', 'v', 'e.g', 'i.e', 'cf',
]);

/** Abbreviations that are unambiguous only before a number ("No. 10", "Jan. 5", "Art. 5"). */
const BEFORE_NUMBER = new Set(['no', 'nos', 'art', 'vol', 'p', 'pp', 'fig', 'sec', 'ch', 'para', ...MONTH_ABBREVIATIONS]);

/**
 * Initials and dotted acronyms: "S", "J", "H.E", "U.S". A dotted acronym that really ends a sentence ("…to the
 * U.S. Officials said") is joined to the next: a long quote is better than one cut inside a name.
 */
const INITIALS = /^(?:\p{Lu}\.)*\p{Lu}$/u;

const SPACE = /\s/;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const isSpace = (c: string | undefined) => c !== undefined && SPACE.test(c);

/** Sentences of `text[from, to)`, trimmed, with absolute offsets; blank ones are dropped. */
export function splitSentences(text: string, from = 0, to = text.length): SentenceSpan[] {
  const pieces = withGluedBreaks(text, icuBreaks(text, from, to));
  const out: SentenceSpan[] = [];
  let start = pieces[0]!;
  // Whether a quotation is open at the current break: kept piece by piece, so each character is read once.
  let quoting = false;
  for (let i = 1; i < pieces.length; i++) {
    const end = pieces[i]!;
    quoting = quoteOpenAfter(text, pieces[i - 1]!, end, quoting);
    if (end < to && (continuesSentence(text, start, end, to) || (quoting && quoteEndsInAttribution(text, end, to)))) continue;
    let s = start;
    let e = end;
    while (s < e && isSpace(text[s])) s++;
    while (e > s && isSpace(text[e - 1])) e--;
    if (e > s) out.push({ start: s, end: e, text: text.slice(s, e) });
    start = end;
  }
  return out;
}

/**
 * ICU's break offsets in [from, to], both ends included. The last segment of a window may be cut short by the
 * window's end, so the next window restarts at its start; a break is trusted only when the segment after it shows
 * a letter or digit inside the window (ICU's look-ahead ended there). A window with no trusted break is doubled:
 * ICU is linear on text without breaks, so the total stays linear.
 */
function icuBreaks(text: string, from: number, to: number): number[] {
  segmenter ??= new Intl.Segmenter('en', { granularity: 'sentence' });
  const breaks = [from];
  let pos = from;
  let size = WINDOW;
  while (pos < to) {
    const stop = Math.min(to, pos + size);
    const starts: number[] = [];
    for (const s of segmenter.segment(text.slice(pos, stop))) starts.push(pos + s.index);
    if (stop === to) {
      breaks.push(...starts.slice(1), to);
      break;
    }
    let last = starts.length - 1;
    while (last > 0 && !hasLetterOrDigit(text, starts[last]!, stop)) last--;
    if (last === 0) {
      size *= 2;
      continue;
    }
    breaks.push(...starts.slice(1, last + 1));
    pos = starts[last]!;
    size = WINDOW;
  }
  return breaks;
}

function hasLetterOrDigit(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (LETTER_OR_DIGIT.test(text[i]!)) return true;
  return false;
}

/**
 * Adds the breaks ICU misses when the next sentence follows without a space: "in Bamako.Lavrov met", "in
 * 2014.Russia", "[1].They". It needs a lower-case letter, digit or closing bracket before the stop and "Xx" after
 * it, so "U.S.Army", "v2.0", "www.example.com" and "Mr.Diop" stay whole.
 */
function withGluedBreaks(text: string, breaks: number[]): number[] {
  const out = [breaks[0]!];
  for (let b = 1; b < breaks.length; b++) {
    const from = breaks[b - 1]!;
    for (let i = from + 1; i < breaks[b]! - 2; i++) {
      const c = text[i];
      if (
        (c === '.' || c === '!' || c === '?') &&
        /[\p{Ll}\p{N})\]]/u.test(text[i - 1]!) &&
        /\p{Lu}/u.test(text[i + 1]!) &&
        /\p{Ll}/u.test(text[i + 2]!) &&
        !isAbbreviation(wordBefore(text, from, i), false)
      ) {
        out.push(i + 1);
      }
    }
    out.push(breaks[b]!);
  }
  return out;
}

/**
 * Whether the break at `end` (closing `text[start, end)`) is false: the piece ends in an abbreviation or an
 * initial, or the next piece starts in lower case ('"Will you resign?" asked a reporter.'). A line break always
 * stays a break.
 */
function continuesSentence(text: string, start: number, end: number, to: number): boolean {
  let e = end;
  while (e > start && isSpace(text[e - 1])) {
    if (text[e - 1] === '\n') return false;
    e--;
  }
  let n = end;
  while (n < to && isSpace(text[n])) n++;
  if (n >= to) return false;
  if (/\p{Ll}/u.test(text[n]!)) return true;
  return text[e - 1] === '.' && isAbbreviation(wordBefore(text, start, e - 1), /\p{N}/u.test(text[n]!));
}

/** How far ahead a quotation open at a break is looked for its end: a long quote of several sentences. */
const QUOTE_LOOKAHEAD = 600;

/**
 * Whether a double quotation is open at `to`, given whether one was open at `from`. Curly quotes say which way they
 * go; a straight one closes an open quotation and opens one otherwise.
 */
function quoteOpenAfter(text: string, from: number, to: number, open: boolean): boolean {
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c === '“') open = true;
    else if (c === '”') open = false;
    else if (c === '"') open = !open;
    else if (c === '\n') open = false;
  }
  return open;
}

/**
 * Whether the quotation open at a break closes on a comma later in the paragraph ('"BRICS is not an anti-Western
 * grouping. It is a non-Western one," Mr. Jaishankar said.'): the sentence is the whole quote with its attribution,
 * since a piece cut from inside it names no speaker and opens or closes a quote it does not hold.
 */
function quoteEndsInAttribution(text: string, from: number, to: number): boolean {
  const limit = Math.min(to, from + QUOTE_LOOKAHEAD);
  for (let i = from; i < limit; i++) {
    const c = text[i];
    if (c === '\n' || c === '“') return false;
    if (c === '"' || c === '”') return text[i - 1] === ',';
  }
  return false;
}

/** The run of letters and dots just before the full stop at `dot` ("U.S", "Mr", "e.g"), not before `start`. */
function wordBefore(text: string, start: number, dot: number): string {
  let i = dot;
  while (i > start && (text[i - 1] === '.' || /\p{L}/u.test(text[i - 1]!))) i--;
  return text.slice(i, dot);
}

function isAbbreviation(word: string, beforeNumber: boolean): boolean {
  if (word === '' || word.endsWith('.')) return false; // nothing, or an ellipsis
  if (INITIALS.test(word)) return true;
  const w = word.toLowerCase();
  return BEFORE_NAME.has(w) || (beforeNumber && BEFORE_NUMBER.has(w));
}
