/**
 * Month and weekday names: what a date is written with, in questions and in articles alike. One list, so the
 * parts that read dates (the sentence splitter, ingest's date reader, the entity reader, follow-ups) agree on what
 * a month is.
 */

export const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** A month's abbreviation as written with a full stop ("Jan.", "Sept."), lower case: May is never shortened. */
export const MONTH_ABBREVIATIONS = [...MONTH_NAMES.filter((m) => m.length > 3).map((m) => m.slice(0, 3).toLowerCase()), 'sept'];

/** A month's name or its usual abbreviation ("Sept.", "Feb"), as a regular-expression source without flags. */
export const MONTH_PATTERN = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';

/** 1–12 for a month's name or abbreviation, 0 for anything else. */
export const monthNumber = (name: string) => MONTH_NAMES.findIndex((m) => m.slice(0, 3).toLowerCase() === name.slice(0, 3).toLowerCase()) + 1;

/**
 * A month or weekday written with its capital, or a year: what dates a sentence. Month names are taken only
 * capitalised, since "may" and "march" are far more often a verb.
 */
export const DATE_WORD = new RegExp(`\\b(?:${[...MONTH_NAMES, ...WEEKDAY_NAMES].join('|')}|(?:1[5-9]|20)\\d{2}s?)\\b`);
