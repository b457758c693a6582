/**
 * The kinds of thing a sentence states that a question may ask for: a person, a place, an organization, a date, a
 * number, an amount of money. Read from the surface, as the question analysis reads questions (capitals, place
 * names from the country data, month names, figures, currencies), so "which minister" is matched by a sentence
 * naming someone the question did not name, "when" by one holding a date.
 */
import questionWords from './question-words.json' with { type: 'json' };
import { DATE_WORD } from './calendar.js';
import { findPlaceholders } from './flags.js';
import type { AnswerType } from './question.js';
import { isPlaceTerm, terms } from './terms.js';

export type EntityKind = Extract<AnswerType, 'person' | 'place' | 'organization' | 'date' | 'number' | 'money'>;
export const ENTITY_KINDS: EntityKind[] = ['person', 'place', 'organization', 'date', 'number', 'money'];

const CAPITALISED_RUN = /\p{Lu}[\p{L}'’.-]*(?:(?:\s+(?:of|de|du|la|al|bin|van|von|the|and)){0,2}\s+\p{Lu}[\p{L}'’.-]*)*/gu;
const ORGANIZATION_WORDS = new Set(questionWords.typeNouns.organization.flatMap((w) => terms(w)));
const PERSON_TITLES = new Set(
  ['mr', 'mrs', 'ms', 'dr', 'prof', 'sir', 'president', 'minister', 'secretary', 'king', 'queen', 'prince', 'ambassador', 'envoy', 'general', 'chairman', 'governor', 'senator', 'mayor', 'chancellor', 'premier', 'pope', 'judge', 'spokesman', 'spokeswoman', 'counterpart', 'chief', 'director', 'leader', 'colonel', 'captain']
    .flatMap((w) => terms(w)),
);
const PLACE_PREPOSITION = /\b(?:in|at|near|from|outside|across|inside|into|to|throughout|around)\s+(?:the\s+)?$/i;
const NUMBER_WORDS =
  /\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundreds?|thousands?|millions?|billions?|dozens?|half|quarter|third)\b/i;
const FIGURE = /\d[\d,.]*/g;
const MONEY = /[$€£¥₦₹]\s?\d|\d\s?(?:bn|m|million|billion|trillion)\b.{0,20}\b(?:USD|EUR|dollars?|euros?|pounds?|r[ou]bles?)|\b(?:USD|EUR|GBP|US\$|KSh|dollars?|euros?|pounds?|yen|yuan|rupees?|r[ou]bles?|shillings?|naira|francs?|rand|cedis?)\b/i;
/** A blank a template left ("[insert date]", "XX/XX/XXXX") stands where a thing of the kind it names should be. */
const BLANK_KINDS: [RegExp, EntityKind][] = [
  [/date|day|time|[Xx]{2}\//, 'date'],
  [/name|person|official|minister/i, 'person'],
  [/place|location|city|country|venue/i, 'place'],
  [/amount|figure|number|price|value|tbd|tbc/i, 'number'],
];
const RELATIVE_DATE = /\b(?:yesterday|today|tomorrow|last|next|this) (?:week|month|year|spring|summer|autumn|fall|winter)\b|\b(?:yesterday|tomorrow)\b|\b\d{1,2}(?:st|nd|rd|th) century\b/i;

/** A thing of one kind a text states, where it stands: characters `start` to `end`. */
export interface EntityMention {
  kind: EntityKind;
  start: number;
  end: number;
}

const all = (pattern: RegExp) => new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
const NUMBER_WORDS_ALL = all(NUMBER_WORDS);
const MONEY_ALL = all(MONEY);
const DATE_WORD_ALL = all(DATE_WORD);
const RELATIVE_DATE_ALL = all(RELATIVE_DATE);

/**
 * The things a text states that the question has not given, with their places: names, dates and figures whose
 * terms are all in `given` (the question's own) do not count, since a sentence repeating the question answers nothing.
 */
export function entityMentions(text: string, given: Set<string>): EntityMention[] {
  const found: EntityMention[] = [];
  const add = (kind: EntityKind, start: number, length: number) => found.push({ kind, start, end: start + length });
  for (const blank of findPlaceholders(text)) for (const [words, kind] of BLANK_KINDS) if (words.test(blank.text)) add(kind, blank.offset, blank.text.length);
  const isNew = (phrase: string) => terms(phrase).some((t) => !given.has(t));
  for (const m of text.matchAll(FIGURE)) {
    const figure = m[0].replace(/[.,]$/, '');
    if (!isNew(figure)) continue;
    add(/^(?:1[5-9]|20)\d{2}$/.test(figure) ? 'date' : 'number', m.index, figure.length);
  }
  for (const m of text.matchAll(NUMBER_WORDS_ALL)) add('number', m.index, m[0].length);
  if (/\d/.test(text)) for (const m of text.matchAll(MONEY_ALL)) add('money', m.index, m[0].length);
  for (const m of text.matchAll(DATE_WORD_ALL)) if (isNew(m[0])) add('date', m.index, m[0].length);
  for (const m of text.matchAll(RELATIVE_DATE_ALL)) add('date', m.index, m[0].length);
  for (const m of text.matchAll(CAPITALISED_RUN)) {
    const run = m[0].replace(/[.'’]+$/, '');
    const runTerms = terms(run);
    if (!runTerms.length || !isNew(run) || DATE_WORD.test(run) || NUMBER_WORDS.test(run) || MONEY.test(run)) continue;
    const before = text.slice(0, m.index);
    const sentenceStart = !/\S/.test(before) || /[.!?:;"“]\s*$/.test(before);
    // A sentence's first word is capitalised whatever it is: it names something only with another capital beside it.
    if (sentenceStart && runTerms.length < 2 && !runTerms.some(isPlaceTerm)) continue;
    const at = (kind: EntityKind) => add(kind, m.index, run.length);
    if (runTerms.some((t) => ORGANIZATION_WORDS.has(t)) || /^\p{Lu}{2,}$/u.test(run)) at('organization');
    else if (runTerms.every(isPlaceTerm) || (PLACE_PREPOSITION.test(before) && runTerms.length <= 3)) at('place');
    else if (runTerms.some((t) => PERSON_TITLES.has(t)) || PERSON_TITLES.has(terms(before.split(/\s+/).at(-1) ?? '')[0] ?? '')) at('person');
    else if (!runTerms.some(isPlaceTerm)) at('person');
  }
  return found;
}
