/**
 * What a sentence states, as a news desk compares two reports: what it is about (its words, without its dates and
 * figures) and the values it gives (dates, figures with what they count, amounts of money). Two sentences about the
 * same thing either agree (a copy repeating the fact) or disagree (one date or figure where the other has another).
 */
import { datesIn, type DatePrecision, type YearSource } from '../ingest/dates.js';
import { findPlaceholders } from '../text/flags.js';
import { terms } from '../text/terms.js';

export type ValueKind = 'date' | 'figure';

export interface StatedValue {
  kind: ValueKind;
  /** As written: "February 28", "25,000 tons". */
  text: string;
  /** Comparable form: an ISO date cut to its precision ("2023-02"), or the number with what it counts ("25000 ton"). */
  key: string;
  /** For figures: the term of what is counted ("ton", "$" for money); '' for dates. */
  unit: string;
  precision?: DatePrecision;
  /** For dates: where the year comes from (ingest/dates.ts). */
  year?: YearSource;
  start: number;
  end: number;
}

export interface Statement {
  /** Index terms of the sentence without its values: what it is about. */
  about: Set<string>;
  values: StatedValue[];
  /** The sentence leaves a blank where a value should be ("on [insert date]"): it states no value against another. */
  blank: boolean;
}

/**
 * Sentences about the same thing share this much of their words (Dice coefficient, values left out). Fitted on the
 * desk dev set: a reworded copy of a sentence shares 0.62–0.85 of them with its original ("Russia delivered 25,000
 * tonnes of wheat to Burkina Faso…" / "Russia shipped 50,000 tonnes…"); different sentences of the same articles
 * share at most 0.45 ("Lavrov made his inaugural visit to Mali in February 2023" / "Lavrov will meet Diop in Moscow
 * on February 28").
 */
export const SAME_SUBJECT = 0.55;

/** A figure, with its thousands separators and decimals, and a scale word or letter after it ("1.4m", "2 billion"). */
const FIGURE = /([$€£¥₦₹]\s?)?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s?(bn|m|million|billion|trillion|thousand|%|per\s?cent)\b)?/gi;
const SCALE: Record<string, number> = { bn: 1e9, billion: 1e9, m: 1e6, million: 1e6, trillion: 1e12, thousand: 1e3 };
/** Words between a figure and what it counts that say nothing of what it counts. */
const FILLER = /^(?:of|the|a|an|more|than|about|some|around|nearly|almost|over|under|additional|new|extra|metric)$/i;

/** What a figure counts: the first term after it ("25,000 tons of grain" → ton), money when a currency stands before it. */
function unitAfter(text: string, end: number, currency: boolean, scale: string | undefined): string {
  if (currency) return '$';
  if (scale && /%|per\s?cent/i.test(scale)) return '%';
  const after = text.slice(end, end + 60).match(/[\p{L}'’-]+/gu) ?? [];
  for (const word of after) {
    if (FILLER.test(word)) continue;
    const [t] = terms(word);
    if (t) return /^(?:dollar|euro|pound|rubl|roubl|usd|eur|gbp)/.test(t) ? '$' : t;
  }
  return '';
}

/** The values a sentence states: its dates (years taken from `published` where it gives none), then its figures. */
export function valuesIn(text: string, published?: string): StatedValue[] {
  const dates: StatedValue[] = datesIn(text, published, { yearless: true }).map((d) => ({
    kind: 'date',
    text: d.text,
    key: d.date.slice(0, d.precision === 'day' ? 10 : d.precision === 'month' ? 7 : 4),
    unit: '',
    precision: d.precision,
    year: d.year,
    start: d.start,
    end: d.end,
  }));
  const figures: StatedValue[] = [];
  for (const m of text.matchAll(FIGURE)) {
    const start = m.index;
    const end = start + m[0].length;
    // A figure inside a date ("September 21, 2023"), or part of a word or code ("Mi-171", "G20"), is no figure.
    if (dates.some((d) => start < d.end && end > d.start) || /[\p{L}-]$/u.test(text.slice(0, start)) || /^[\p{L}]/u.test(text.slice(end))) continue;
    const scale = m[3]?.toLowerCase();
    const value = Number(m[2]!.replace(/,/g, '')) * (scale ? (SCALE[scale] ?? 1) : 1);
    const unit = unitAfter(text, end, !!m[1], scale);
    // A figure that counts nothing named ("the 1999 treaty", "one of 15") cannot be compared with another.
    if (!unit) continue;
    figures.push({ kind: 'figure', text: m[0].trim(), key: `${value} ${unit}`, unit, start, end });
  }
  return [...dates, ...figures].sort((a, b) => a.start - b.start);
}

/** A sentence as a statement: what it is about and the values it gives. */
export function statementOf(text: string, published?: string): Statement {
  const values = valuesIn(text, published);
  let bare = text;
  for (const v of [...values].reverse()) bare = `${bare.slice(0, v.start)} ${bare.slice(v.end)}`;
  return { about: new Set(terms(bare).filter((t) => !/^\d/.test(t))), values, blank: findPlaceholders(text).length > 0 };
}

/** Dice coefficient of what two statements are about. */
export function subjectOverlap(a: Statement, b: Statement): number {
  if (!a.about.size || !b.about.size) return 0;
  let shared = 0;
  for (const t of a.about) if (b.about.has(t)) shared++;
  return (2 * shared) / (a.about.size + b.about.size);
}

/**
 * Two dates agree when one contains the other ("February 2023" and "February 7, 2023"). A year the text does not
 * state (taken from a publication date, or guessed from the latest date an undated article gives) is not held
 * against the other: "February 28" in two undated copies is one date, whatever each one's other dates suggest.
 */
function datesAgree(a: StatedValue, b: StatedValue): boolean {
  const contains = (x: string, y: string) => x.startsWith(y) || y.startsWith(x);
  const guessed = a.year !== 'stated' || b.year !== 'stated';
  // A month of a stated year ("in February 2023") does not vouch for a day of a guessed one ("on February 28").
  const [stated, unsure] = a.year === 'stated' ? [a, b] : [b, a];
  if (guessed && stated.year === 'stated' && stated.key.length < unsure.key.length) return false;
  if (contains(a.key, b.key)) return true;
  return guessed && a.key.length > 4 && b.key.length > 4 && contains(a.key.slice(5), b.key.slice(5));
}

/**
 * Whether `others` state a value `value` agrees with: the same figure of the same thing, or a consistent date; with
 * `asPrecise`, only a date at least as precise counts ("January" does not vouch for "January 25").
 */
function hasAgreeing(value: StatedValue, others: StatedValue[], asPrecise = false): boolean {
  if (value.kind === 'figure') return others.some((o) => o.kind === 'figure' && o.key === value.key);
  const dates = others.filter((o) => o.kind === 'date');
  // Where the other sentence dates as precisely, its coarser dates ("his January tour") vouch for nothing.
  const precise = dates.filter((o) => o.key.length >= value.key.length);
  return (asPrecise || precise.length ? precise : dates).some((o) => datesAgree(value, o));
}

/**
 * Where two statements about the same thing give different values: pairs of a value of `a` and one of `b` of the
 * same kind (and, for figures, counting the same thing) such that neither is stated by the other sentence at all.
 */
export function disagreements(a: Statement, b: Statement): [StatedValue, StatedValue][] {
  const out: [StatedValue, StatedValue][] = [];
  for (const va of a.values) {
    if (hasAgreeing(va, b.values)) continue;
    const vb = b.values.find((v) => v.kind === va.kind && (va.kind === 'date' || v.unit === va.unit) && !hasAgreeing(v, a.values, true));
    if (vb) out.push([va, vb]);
  }
  return out;
}

/**
 * Two statements say the same: about the same thing, and every value of each agrees with one of the other (a
 * sentence with a blank, "[insert date]", may lack the other's values).
 */
export function sameFact(a: Statement, b: Statement): boolean {
  const covered = (x: Statement, y: Statement) => y.blank || x.values.every((v) => hasAgreeing(v, y.values));
  return subjectOverlap(a, b) >= SAME_SUBJECT && covered(a, b) && covered(b, a);
}
