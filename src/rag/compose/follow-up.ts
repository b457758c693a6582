/**
 * Follow-up questions read offline: "and what about Togo?" or "when was that?" say little on their own, so the
 * previous turn's subject (its names and key terms, as text/terms.ts analyses them) is carried over before
 * retrieval. The result is a question a person can read back ("Understood as: What did Lavrov discuss in Togo?"),
 * and the one retrieval and the abstention rule work on, so a follow-up is held to the same standard as any question.
 */
import type { Sentence } from '../search/hybrid-retriever.js';
import { MONTH_NAMES } from '../text/calendar.js';
import { analyseQuestion, isAnswerTypeTerm, LEADING_CONJUNCTION, questionTerms } from '../text/question.js';
import { isPlaceName, isPlaceTerm, terms } from '../text/terms.js';
import type { Turn } from '../types.js';

/** "and what about Togo?", "how about Angola?": the previous question again, with one thing swapped. */
const SWAP = /^\s*(?:(?:and|but|or)\s+)?(?:(?:what|how)\s+about|what\s+of|same\s+(?:for|with))\s+(.+?)[\s?.!]*$/i;
/** "and Angola?", "and in infrastructure?": a continuation that is only the thing swapped in. */
const BARE_SWAP = /^\s*(?:and|but|or)\s+(.+?)[\s?.!]*$/i;
/** "in infrastructure": the previous question with what follows the same preposition swapped. */
const PREPOSITION_PHRASE = /^(in|on|for|with|from|to|at|about|of|by|during|after|before)\s+(.+)$/i;
const ARTICLES = /^(?:the|a|an)$/i;
/** What may stand between two words of one name: "Burkina Faso", "Alliance of Sahel States". */
const NAME_JOINER = /^(?: +| +of +| +of the +)$/;
/** Words a swapped-in phrase may hold besides names: "and the Russian one?". */
const FILLER = /^(?:the|a|an|one|ones|of)$/i;
/** A follow-up with at most this many words of its own content ("when was that established?") takes key terms too. */
const FEW_OWN_TERMS = 1;

interface Token {
  text: string;
  start: number;
  end: number;
  terms: string[];
  /** Capitalised inside the sentence, an acronym or a number: something specific the question is about. */
  specific: boolean;
}

/** A name (possibly of several words, "Central African Republic") or a key term of a question. */
interface Item {
  text: string;
  start: number;
  end: number;
  terms: string[];
  specific: boolean;
}

/** `fragment`: a phrase, not a sentence ("Togo" in "what about Togo?"), so a capital at its start marks a name too. */
function tokens(text: string, fragment = false): Token[] {
  return [...text.matchAll(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu)].map((m, i) => ({
    text: m[0],
    start: m.index,
    end: m.index + m[0].length,
    terms: terms(m[0]),
    specific: ((fragment || i > 0) && /^\p{Lu}/u.test(m[0])) || /^\p{Lu}{2,}$/u.test(m[0]) || /^\d/.test(m[0]),
  }));
}

/** Names as runs of adjacent specific words, and key terms one word each; stopwords and answer-type words dropped. */
function subjectItems(text: string, fragment = false): Item[] {
  const items: Item[] = [];
  for (const t of tokens(text, fragment)) {
    const content = t.terms.filter((x) => !isAnswerTypeTerm(x));
    if (!content.length) continue;
    const last = items.at(-1);
    // A possessive ends a name: "Lavrov's Belarusian counterpart" is two things.
    if (t.specific && last?.specific && !/['’]s$/.test(text.slice(last.start, last.end)) && NAME_JOINER.test(text.slice(last.end, t.start))) {
      Object.assign(last, { text: text.slice(last.start, t.end), end: t.end, terms: [...last.terms, ...content] });
    } else {
      items.push({ text: t.text.replace(/['’]s$/, ''), start: t.start, end: t.end, terms: content, specific: t.specific });
    }
  }
  return items;
}

/** A phrase that is nothing but names (and articles): "Togo", "Burkina Faso", "the Russian one". */
function onlyNames(phrase: string): boolean {
  const all = tokens(phrase, true);
  return all.some((t) => t.specific) && all.every((t) => t.specific || FILLER.test(t.text));
}

/** A country, capital, region or demonym, a name ending in one ("West Africa"), or a country's longer name ("Central African Republic"). */
const isPlace = (item: Item) => item.terms.length > 0 && (isPlaceTerm(item.terms.at(-1)!) || isPlaceName(item.terms));

/** Dates and figures are what an answer says, not what it is about. */
const MONTH_OR_NUMBER = new RegExp(`\\d|^(?:${MONTH_NAMES.join('|')})\\b`);

const question = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`.replace(/[\s?.!]*$/, '?');

/** The previous question with each name of `replacement` standing in for its previous counterpart (place for place). */
function swapNames(previous: string, replacement: Item[]): string | null {
  const names = subjectItems(previous).filter((i) => i.specific);
  const swaps: { from: Item; to: string }[] = [];
  for (const name of replacement) {
    const candidates = names.filter((n) => !swaps.some((s) => s.from === n));
    const sameKind = candidates.filter((n) => isPlace(n) === isPlace(name));
    const from = (sameKind.length ? sameKind : candidates).at(-1);
    if (from) swaps.push({ from, to: name.text });
  }
  if (!swaps.length) return null;
  let out = previous;
  for (const { from, to } of swaps.sort((a, b) => b.from.start - a.from.start)) out = out.slice(0, from.start) + to + out.slice(from.end);
  return out;
}

/**
 * The previous question with what follows its last `preposition` ("in mining") replaced by `replacement`; with no
 * preposition given, what follows the last preposition whose object is a common word ("what about infrastructure?"
 * after "…investment in mining…"), never a name.
 */
function swapAfterPreposition(previous: string, preposition: string | null, replacement: string): string | null {
  const all = tokens(previous);
  for (let i = all.length - 2; i >= 0; i--) {
    const word = all[i]!.text.toLowerCase();
    if (preposition ? word !== preposition.toLowerCase() : !PREPOSITION_PHRASE.test(`${word} x`)) continue;
    let j = i + 1;
    while (j < all.length && ARTICLES.test(all[j]!.text)) j++;
    let k = j;
    while (k < all.length && all[k]!.terms.length && (k === j || /^ +$/.test(previous.slice(all[k - 1]!.end, all[k]!.start)))) k++;
    if (k === j || (!preposition && all.slice(j, k).some((t) => t.specific))) continue;
    return previous.slice(0, all[j]!.start) + replacement + previous.slice(all[k - 1]!.end);
  }
  return null;
}

/**
 * What the previous answer was: after "Where has Russia opened a new embassy?", the answer's "Togo" is what "there"
 * points at. It is the first name of the kind asked for in the answer's first cited sentence that the question did
 * not already name.
 */
function answerEntity(previous: Turn): Item | null {
  const kind = analyseQuestion(previous.question).answerType;
  const place = kind === 'place';
  if (!previous.sources.length || (!place && kind !== 'person' && kind !== 'organization')) return null;
  const asked = new Set(terms(previous.question));
  const firstSentence = previous.answer.split(/\[\d+(?:,\s*\d+)*\]/)[0]!;
  const named = (i: Item) => i.specific && !MONTH_OR_NUMBER.test(i.text) && isPlace(i) === place && !i.terms.some((t) => asked.has(t));
  return subjectItems(firstSentence).find(named) ?? null;
}

/**
 * How `followUp` reads after `previous` (the previous turn, its question as understood). A question that stands on
 * its own comes back unchanged; one that swaps a thing ("and what about Togo?") is the previous question with the
 * thing swapped; one that points back ("when was that?") carries the previous subject's names over (and what the
 * previous answer named, when it answered "where" or "who"), and its key terms too when the follow-up has almost no
 * words of its own. When the follow-up names a new place, the previous places are not carried.
 */
export function understandFollowUp(followUp: string, previous: Turn): string {
  const before = previous.question;
  const swap = SWAP.exec(followUp)?.[1];
  const rest = swap ?? BARE_SWAP.exec(followUp)?.[1];
  const prepositional = rest ? PREPOSITION_PHRASE.exec(rest) : null;
  const swappedPhrase = prepositional && swapAfterPreposition(before, prepositional[1]!, prepositional[2]!);
  if (swappedPhrase) return question(swappedPhrase);
  for (const phrase of [rest, prepositional?.[2]]) {
    const swapped = phrase && onlyNames(phrase) ? swapNames(before, subjectItems(phrase, true)) : null;
    if (swapped) return question(swapped);
  }
  const common = swap && !tokens(swap, true).some((t) => t.specific) && tokens(swap, true).length <= 3;
  const swappedCommon = common ? swapAfterPreposition(before, null, swap) : null;
  if (swappedCommon) return question(swappedCommon);

  const own = subjectItems(followUp);
  // Pointing back ("there", "that trip") or opening as a continuation ("and…") leans on it, even with names of its own.
  const asked = analyseQuestion(followUp);
  const leansOnPrevious = !own.some((i) => i.specific) || asked.pointsBack || asked.continues || !!swap;
  if (!leansOnPrevious) return followUp;
  const ownTerms = new Set(own.flatMap((i) => i.terms));
  const beforeTerms = new Set(terms(before));
  const namesNewPlace = own.some((i) => i.specific && isPlace(i) && !i.terms.every((t) => beforeTerms.has(t)));
  const takeKeyTerms = ownTerms.size <= FEW_OWN_TERMS;
  const carried: string[] = [];
  const entity = answerEntity(previous);
  for (const item of [...(entity ? [entity] : []), ...subjectItems(before)]) {
    if ((!item.specific && !takeKeyTerms) || item.terms.every((t) => ownTerms.has(t))) continue;
    if ((namesNewPlace && item.specific && isPlace(item)) || carried.some((c) => c.toLowerCase() === item.text.toLowerCase())) continue;
    carried.push(item.text);
  }
  const base = (swap ?? followUp.replace(LEADING_CONJUNCTION, '')).replace(/[\s?.!]*$/, '');
  return question(carried.length ? `${base} (${carried.join(', ')})` : base);
}

/** Verbs of naming: "what is it called?" asks for a name, which the answer gives without repeating the verb. */
const NAMING = new Set(terms('called named known termed'));

/**
 * Whether the documents an understood follow-up was answered from say anything of what the follow-up itself asks.
 * Carried-over names are easy to cover, so they must not carry an answer past the abstention rule: after "In which
 * sectors could Russia and Burundi cooperate?", "who travelled with him?" finds the Burundi article, which never
 * speaks of travelling. A follow-up with no words of its own ("when was that?") asks nothing new and passes; a word
 * counts when the documents use it or a word of the same root ("agree" for "agreement").
 */
export function mentionsOwnTerms(followUp: string, sentences: Pick<Sentence, 'own'>[]): boolean {
  const own = questionTerms(followUp)
    .map((q) => q.term)
    .filter((t) => !isAnswerTypeTerm(t) && !NAMING.has(t));
  return !own.length || own.some((t) => sentences.some((s) => s.own.has(t) || [...s.own].some((u) => sameRoot(t, u))));
}

/** Stems the stemmer leaves apart though one word grew from the other ("agre" and "agreement"). */
const sameRoot = (a: string, b: string) => Math.min(a.length, b.length) >= 4 && (a.startsWith(b) || b.startsWith(a));
