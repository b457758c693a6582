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
