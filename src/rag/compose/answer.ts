/**
 * The offline answer: the few evidence sentences that answer the question, as many as the question asks for, each
 * quoted and cited, with flags where the source is unreliable; or an abstention that names the closest documents.
 */
import { findPlaceholders, flagsOf, mergeFlags } from '../text/flags.js';
import { coverage, type Evidence, type Retrieval, type Sentence } from '../search/hybrid-retriever.js';
import { cosine } from '../search/vectors.js';
import { isAnswerTypeTerm, terms } from '../text/terms.js';
import type { Answer, Citation, Passage } from '../types.js';

export const MAX_ANSWER_CHARS = 1500;
const MAX_QUOTE_CHARS = 300;
const MAX_SENTENCES = 5;
/** Sentences plus the list items their lead-ins bring: more sources than this is no longer a short answer. */
const MAX_CITATIONS = 8;

/**
 * Abstention rule. Relevance scores cannot separate answerable from unanswerable questions on this kind of corpus
 * (BM25 scores of both overlap, see NOTES.md); what separates them is whether the evidence mentions what the
 * question is about. Coverage (hybrid-retriever.ts) is the share of the question's term weight that evidence
 * mentions, each sentence with its heading, title, lead and neighbours; evidence missing a name or a number (a
 * year) the question asks about covers nothing. It is judged over the answer, not one sentence: up to three
 * sentences of one document, each about every name of the question, taken together (the best mention of each
 * term), so a two-part question answered by two sentences is answered. First calibrated on the seed questions
 * (every answerable one at 0.65 or more, every unanswerable one at 0.56 or less); with the answer-level rule it
 * still refuses every unanswerable question of the seed, other-sites and archive sets, while refusing no answerable
 * seed, conversation or archive question (npm run eval -- --set all).
 */
export const MIN_COVERAGE = 0.62;
/** Sentences kept in an answer must score at least this share of the best one, so weak filler is left out. */
const KEEP_RATIO = 0.55;
/** A sentence stating a word of the question no other chosen sentence states joins if it scores this share of the best. */
const REMAINING_RATIO = 0.35;
/** In a list answer, a sentence this close to the best one's score joins it even when it adds no new key term. */
const LIST_RATIO = 0.75;
/** A sentence adds to an answer's support (coverage) or to what the answer states of the question by at least this much. */
const MIN_GAIN = 0.05;
/** A support sentence joins the answer when it states this much of the question the answer does not: the other half. */
const PART_GAIN = 0.12;
/** Most sentences a one-fact answer takes; a list answer takes up to MAX_SENTENCES. */
const MAX_FACT_SENTENCES = 3;
/** Most sentences joined to support an answer: a two-part question answered by two sentences of one article. */
const MAX_SUPPORT_SENTENCES = 3;
/** The kind of fact asked for ("how much" → a figure) must stand in a sentence at least this much about the question. */
const SHAPE_FLOOR = 0.45;
/** A "who" answer's sentence must say at least this share of what the question asks of the person, by weight. */
const PERSON_PREDICATE_SHARE = 0.6;
/** The mention a term gets from a sentence's heading, title or lead (see mentions() in hybrid-retriever.ts). */
const CONTEXT_MENTION = 0.85;
/** Sentences closer than this (cosine of their vectors) say the same thing; the second is left out. */
const REDUNDANT_SIMILARITY = 0.92;
/**
 * A document's opening sentence states the setting (who, where, when); citing it keeps an answer from silently
 * accepting a question's framing ("discuss in Mali" when the talks were in Moscow).
 */
const LEAD_BONUS = 1.25;
/**
 * A sentence repeating the question's phrases (what it asks, terms side by side: "won the critics' award") says
 * what is asked, where one with the same words scattered ("critically acclaimed album … won an award") may say
 * something else. Not for the lead: it repeats the headline, whose wording questions copy, and has its own bonus;
 * nor for framing ("analysts suggest this could open new avenues"), whose stock phrases say nothing.
 */
const PHRASE_BONUS = 0.1;
const MAX_PHRASES = 2;

export interface ComposedAnswer extends Omit<Answer, 'question' | 'timings'> {
  /** The evidence offered to the composer, numbered in citation order first: what a language model is shown. */
  passages: Passage[];
}

const isQuestionLike = (s: Sentence) => s.text.trim().endsWith('?');
const isLeadIn = (s: Sentence) => s.text.trim().endsWith(':');
const MAX_LIST_ITEMS = 4;

/**
 * Sentences about the article, its reader or the moment's significance rather than the news itself: generated
 * copy is full of them ("This visit marks a pivotal moment…"), and they answer nothing.
 */
const FRAMING =
  /\b(?:this article|in conclusion|to conclude|as the world watches|remains to be seen|will continue to follow|readers?|stay tuned|marks? (?:a|an) (?:significant|pivotal|notable|important)|pivotal (?:moment|shift|step)|significant (?:step|turning point|development)|turning point|in a bid to|analysts suggest)\b/i;

export const isFraming = (text: string) => FRAMING.test(text);

/** The list items a lead-in sentence ("…areas of collaboration discussed were:") introduces. */
function listAfter(leadIn: Sentence, all: Sentence[]): Sentence[] {
  const items: Sentence[] = [];
  for (let i = leadIn.id + 1; i < all.length && items.length < MAX_LIST_ITEMS; i++) {
    const next = all[i]!;
    if (next.source !== leadIn.source || next.heading !== leadIn.heading || isLeadIn(next)) break;
    items.push(next);
  }
  return items;
}

/** Commas, and at half weight "and"/"or" (which also join clauses): how much of a list a sentence is. */
const listSeparators = (text: string) => (text.match(/,/g)?.length ?? 0) + 0.5 * (text.match(/\b(?:and|or)\b/g)?.length ?? 0);

/** How much a sentence states checkable facts: names, numbers, dates, enumerations. Framing prose scores 0. */
export function factDensity(text: string): number {
  const names = text.match(/(?<=\S\s+)\p{Lu}[\p{L}-]+/gu)?.length ?? 0;
  const numbers = text.match(/\d[\d,.]*/g)?.length ?? 0;
  return Math.min(1, (names + 2 * numbers + listSeparators(text)) / 8);
}

function truncateAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return space > max * 0.6 ? cut.slice(0, space) : cut;
}

export function toPassage(e: Evidence): Passage {
  const s = e.sentence;
  const quote = truncateAtWord(s.text, MAX_QUOTE_CHARS);
  return { source: s.source, title: s.title, heading: s.heading, text: quote, start: s.start, end: s.start + quote.length, score: e.relevance };
}

export function citationsFor(passages: Passage[]): Citation[] {
  return passages.map((p, i) => ({
    n: i + 1,
    source: p.source,
    title: p.title,
    quote: p.text,
    start: p.start,
    end: p.end,
    score: Math.round(p.score * 1000) / 1000,
  }));
}

/** How many of the closest documents a not-found reply names. */
const CLOSEST_DOCUMENTS = 3;

/**
 * The refusal names the documents retrieval came closest with, not the corpus's first titles: on a corpus of
 * thousands of articles only the nearest few tell the reader where the question led.
 */
export function notFoundMessage(closest: { title: string; source: string }[]): string {
  const named = closest.slice(0, CLOSEST_DOCUMENTS).map((d) => `“${d.title}” (${d.source})`);
  const lead = "I could not find this in the corpus, so I won't guess.";
  return named.length ? `${lead} The closest the corpus comes: ${named.join(', ')}.` : lead;
}

/** The distinct documents of the evidence, best first. */
function closestDocuments(evidence: Evidence[]): { title: string; source: string }[] {
  const seen = new Map<string, { title: string; source: string }>();
  for (const e of evidence) if (!seen.has(e.sentence.source)) seen.set(e.sentence.source, { title: e.sentence.title, source: e.sentence.source });
  return [...seen.values()];
}

/**
 * For "how much / how many" questions, the thing counted ("embassies" in "How many embassies does Russia have?"),
 * or "" when the words after "how much" name none; null for other questions.
 */
function quantityAskedFor(question: string): string | null {
  const after = question.match(/\bhow (?:much|many)\b(.*)$/i);
  if (!after) return null;
  const words = after[1]!.match(/[\p{L}\p{N}]+/gu) ?? [];
  // "How much did GDP grow": a verb follows, so the question counts no thing; any figure answers it.
  if (AUXILIARY.test(words[0] ?? '')) return '';
  const thing = words.filter((w) => !/^\p{Lu}/u.test(w)).flatMap((w) => terms(w))[0];
  return thing ?? '';
}

/** Auxiliary verbs: after "how much/many" one means the question measures a change or an amount, not a counted thing. */
const AUXILIARY = /^(?:did|does|do|has|have|had|is|are|was|were|will|would|can|could|should|might|may)$/i;

/** Digits or number words ("three berths", "a dozen", "two million"). */
const QUANTITY =
  /\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundreds?|thousands?|millions?|billions?|dozens?)\b/i;

/**
 * A sentence gives the quantity when it has a number the question did not give (the 2004 of "in 2004" is not the
 * answer) and names the thing counted in its own words.
 */
function statesQuantity(s: Sentence, thing: string, keyTerms: Map<string, number>, text = s.text): boolean {
  const given = new Set([...keyTerms.keys()].filter((t) => /^\d/.test(t)));
  const numbers = terms(text).filter((t) => /^\d/.test(t) && !given.has(t));
  const hasNumber = numbers.length > 0 || QUANTITY.test(text.replace(/\d[\d,.]*/g, ''));
  return hasNumber && (!thing || [...s.own].some((t) => t === thing || t.startsWith(thing) || thing.startsWith(t)));
}

/** A chosen lead-in brings the items it introduces, within the answer's length and citation count. */
function withListItems(selected: Evidence[], sentences: Sentence[]): Evidence[] {
  const out: Evidence[] = [];
  let chars = selected.reduce((n, e) => n + Math.min(e.sentence.text.length, MAX_QUOTE_CHARS) + 6, 0);
  let citations = selected.length;
  const taken = new Set(selected.map((e) => e.sentence.id));
  for (const e of selected) {
    out.push(e);
    if (!isLeadIn(e.sentence)) continue;
    for (const item of listAfter(e.sentence, sentences)) {
      const length = Math.min(item.text.length, MAX_QUOTE_CHARS) + 6;
      if (taken.has(item.id) || chars + length > MAX_ANSWER_CHARS || citations >= MAX_CITATIONS) continue;
      citations++;
      taken.add(item.id);
      chars += length;
      out.push({ ...e, sentence: item });
    }
  }
  // A lead-in none of whose items made it into the answer would end on a colon and say nothing.
  return out.filter((e) => !isLeadIn(e.sentence) || listAfter(e.sentence, sentences).some((item) => taken.has(item.id)));
}

/** The sentence of a placeholder, trimmed to the clause around it: "Arriving on [insert date], Lavrov’s trip…". */
function placeholderClause(text: string, placeholder: string): string {
  const at = text.indexOf(placeholder);
  const start = Math.max(0, text.lastIndexOf(' ', Math.max(0, at - 25)) + 1);
  const endComma = text.indexOf(',', at + placeholder.length);
  const end = endComma > 0 && endComma - at < 60 ? endComma : Math.min(text.length, at + placeholder.length + 30);
  return `${start > 0 ? '…' : ''}${text.slice(start, end).trim()}${end < text.length ? '…' : ''}`;
}

/** What kind of fact the question asks for; the answer must hold one (a "how much" answer without a figure is none). */
type Shape = 'date' | 'money' | 'quantity' | 'person' | 'place' | 'code' | 'names' | 'list' | 'other';

/** Verbs and nouns of price: "how much did it sell for", "what does it cost", "what is it worth". */
const PRICE_WORDS = /\b(?:cost|costs|price[ds]?|pay|paid|paying|sell|sold|selling|buy|bought|earn(?:ed|s)?|rais(?:e|ed|ing)|spen[dt]|owe[sd]?|worth|valued?|invest(?:ed|ing)?)\b/;

/** "What was the score / rate / margin…": the thing asked is itself a figure. */
const MEASURE_ASKED = /^\s*what (?:was|is|were|are|will be) the (?:[\w-]+ )?(?:score|scoreline|margin|tally|rate|percentage)\b/;

/** Kinds of fact without which there is no answer; a list or a set of names may be worded in too many ways to check. */
const ENFORCED_SHAPES = new Set<Shape>(['date', 'money', 'quantity', 'person']);

/** The kind of fact a question asks for, from its wording ("when" → a date, "how much did it cost" → money). */
export function askedShape(question: string): Shape {
  const q = question.toLowerCase();
  if (/^\s*(?:where and )?when\b|\b(?:what|which|on what) (?:date|year|day|month)\b/.test(q)) return 'date';
  const howMuch = /\bhow (?:much|many)\b/.test(q);
  if ((howMuch || /^\s*what\b/.test(q)) && PRICE_WORDS.test(q) && !/\bhow many\b/.test(q)) return 'money';
  if (howMuch || /\bhow (?:large|big|high|long|old|far|fast|tall|deep)\b|\b(?:ris|rose|fell|fall|gr[eo]w|climb|jump|drop)\w* to\b/.test(q)) return 'quantity';
  if (MEASURE_ASKED.test(q)) return 'quantity';
  if (/^\s*who\b/.test(q)) return 'person';
  if (/^\s*where\b/.test(q)) return 'place';
  if (/^\s*(?:which|what)\b[^?]*\b(?:model|version|edition|flight number|serial number)\b/.test(q)) return 'code';
  if (/\bname of\b|\bcalled\b|^\s*which\b/.test(q)) return 'names';
  if (/^\s*what \w+s\b/.test(q) && !/^\s*what (?:was|is|does|did|has|were)\b/.test(q)) return 'names';
  if (/\b(?:discuss|talk|cover|focus|agree|announc|cooperat|collaborat|sector|area|topic|organi[sz]ation)\w*/.test(q)) return 'list';
  return 'other';
}

/** A month, a weekday or a year; month names capitalised only ("may" is far more often a verb). */
const DATE =
  /\b(?:January|February|March|April|May|June|July|August|September|October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|(?:19|20)\d{2})\b|\[[^\]]*date[^\]]*\]/;
/** An amount of money: a currency sign before a figure, or "bn"/"m"/"million" after one. */
const MONEY = /[$€£¥₦₹]\s?\d|\d\s?(?:bn|m|million|billion|trillion)\b/i;
/** A currency named in words or by code, anywhere in a sentence with a figure ("Investment (in million USD): 25"). */
const CURRENCY = /\b(?:USD|EUR|GBP|KSh|dollars?|euros?|pounds?|yen|yuan|rupees?|r[ou]bles?|shillings?|naira|francs?|rand|cedis?|kwacha|dinars?|pesos?)\b/i;

/** Names in a sentence the question did not give: who answers a "who" question. */
function newNames(text: string, keyTerms: Map<string, number>): string[] {
  const names = text.match(/(?<=\S\s+)\p{Lu}[\p{L}'-]+/gu) ?? [];
  return names.filter((n) => !DATE.test(n) && terms(n).some((t) => !keyTerms.has(t)));
}

/**
 * Names the question did not give where a sentence says where: after a preposition of place ("in Miami", "at the
 * Konstantinovsky Palace"; not "to", which leads anywhere: "to the Whitney Houston film"), or as its dateline ("ST. PETERSBURG — Foreign ministers…").
 */
function newPlaces(text: string, keyTerms: Map<string, number>): string[] {
  const dateline = text.match(/^\p{Lu}[\p{Lu}\s.'-]*\p{Lu}\.?(?=\s*[—–]\s)/u)?.[0] ?? [];
  const places = [...text.matchAll(/\b(?:in|at|near|outside)\s+(?:the\s+)?(\p{Lu}[\p{L}'-]+)/gu)].map((m) => m[1]!).concat(dateline);
  return places.filter((n) => !DATE.test(n) && terms(n).some((t) => !keyTerms.has(t)));
}

/**
 * Model numbers and codes ("7610", "A380", "PS2") the question did not give: what "which model" is answered by. Not
 * digits inside a word or after a hyphen ("Tee-222", a hacker's alias), nor thousands or decimals of a figure.
 */
function newCodes(text: string, keyTerms: Map<string, number>): string[] {
  const codes = text.match(/(?<![\p{L}\p{N}.,-])(?:\p{Lu}+-?\d[\p{L}\p{N}]*|\d{3,}(?![.,%]?\d|%))(?![\p{L}\p{N}])/gu) ?? [];
  return codes.filter((c) => !DATE.test(c) && terms(c).some((t) => !keyTerms.has(t)));
}

/** What the question asks about its names: its other words ("discuss", "replaced"), not the kind of answer ("countries"). */
const isAsked = (retrieval: Retrieval) => (t: string) => !retrieval.mandatory.has(t) && !retrieval.referents.has(t) && !isAnswerTypeTerm(t);
const predicateTerms = (retrieval: Retrieval) => [...retrieval.keyTerms.keys()].filter(isAsked(retrieval));

/** Whether a sentence holds the kind of fact asked for. */
function hasShape(e: Evidence, shape: Shape, quantity: string, retrieval: Retrieval, text = e.sentence.text): boolean {
  // A placeholder ("valued at [TBD]") stands where the fact should be: the answer is that the source left it blank.
  if (ENFORCED_SHAPES.has(shape) && findPlaceholders(text).length) return true;
  switch (shape) {
    case 'date':
      return DATE.test(text);
    case 'money':
      return MONEY.test(text) || (/\d/.test(text) && CURRENCY.test(text));
    case 'place':
      return newPlaces(text, retrieval.keyTerms).length > 0;
    case 'code':
      return newCodes(text, retrieval.keyTerms).length > 0;
    case 'names':
      return newNames(text, retrieval.keyTerms).length > 0 || newCodes(text, retrieval.keyTerms).length > 0;
    case 'quantity':
      return statesQuantity(e.sentence, quantity, retrieval.keyTerms, text);
    case 'person': {
      // The new name must come with what the question asks ("replaced"), not merely stand in the same article: the
      // sentence states, or its title and lead give, most of it by weight, and states some of it itself.
      const asked = predicateTerms(retrieval);
      const weight = (ts: string[]) => ts.reduce((sum, t) => sum + retrieval.keyTerms.get(t)!, 0);
      const said = asked.filter((t) => e.stated.has(t) || (e.mentioned.get(t) ?? 0) >= CONTEXT_MENTION);
      return (
        newNames(text, retrieval.keyTerms).length > 0 &&
        (!asked.length || (asked.some((t) => e.stated.has(t)) && weight(said) >= PERSON_PREDICATE_SHARE * weight(asked)))
      );
    }
    default:
      return true;
  }
}

/** For "where", a new name not written as a place ("Russia and Togo have…"): likely, less surely, the place. */
const PLACE_LIKE_BONUS = 1.15;

/** Evidence holding the kind of fact asked for ranks above evidence that does not; a list answer prefers enumerations. */
function answerShapeBonus(e: Evidence, text: string, shape: Shape, quantity: string, retrieval: Retrieval): number {
  if (shape === 'list') return 1 + 0.1 * Math.min(5, listSeparators(text));
  if (shape === 'other') return 1;
  // A name that is not plainly a place ("the Hit Factory", "Foreign Minister Lavrov") may still be one: neither a place nor nothing.
  if (shape === 'place' && !hasShape(e, shape, quantity, retrieval, text) && newNames(text, retrieval.keyTerms).length) return PLACE_LIKE_BONUS;
  return hasShape(e, shape, quantity, retrieval, text) ? 1.3 : 0.8;
}

/**
 * The source says it does not have the figure, date or name asked for ("It did not give a price for the Lite
 * model", "terms were not disclosed"): that is a refusal to pass on, not an answer.
 */
const NOT_DISCLOSED =
  /\b(?:did not|didn't|does not|doesn't|would not|wouldn't|declined to|refused to)\s+(?:give|disclose|reveal|say|provide|name|confirm|specify|comment)\b|\b(?:not|never)\s+(?:been\s+)?(?:disclosed|revealed|given|made public)\b|\bundisclosed\b/i;

/**
 * Share of the question's term weight the sentences state in their own words: the sentence that says it, not its
 * neighbour or its title.
 */
function ownShare(chosen: Evidence[], retrieval: Retrieval, of: (t: string) => boolean = () => true): number {
  let total = 0;
  let own = 0;
  for (const [t, w] of retrieval.keyTerms) {
    if (!of(t)) continue;
    total += w;
    if (chosen.some((e) => e.stated.has(t))) own += w;
  }
  return total ? own / total : 0;
}

/**
 * Whether a sentence states at least `gain` more of what the question asks (its words other than names and
 * numbers, by weight) than the answer so far: restating a name the title already gives adds nothing.
 */
function saysMore(chosen: Evidence[], e: Evidence, retrieval: Retrieval, gain: number): boolean {
  const asked = isAsked(retrieval);
  return ownShare([...chosen, e], retrieval, asked) >= ownShare(chosen, retrieval, asked) + gain;
}

/** Answer-level coverage: each key term counted at its best mention among the sentences. */
function unionCoverage(chosen: Evidence[], retrieval: Retrieval): number {
  const best = new Map<string, number>();
  for (const e of chosen) for (const [t, m] of e.mentioned) best.set(t, Math.max(best.get(t) ?? 0, m));
  return coverage(best, retrieval.keyTerms, retrieval.mandatory);
}

/**
 * The sentences of one document that together mention most of what the question asks: its best sentence, then
 * whichever adds most, up to MAX_SUPPORT_SENTENCES. Each must mention every name and number of the question
 * (with its title and lead), so "When did Lavrov visit Eritrea?" is not stitched from one sentence about Lavrov
 * and another about Eritrea.
 */
function supportIn(candidates: Evidence[], retrieval: Retrieval): { sentences: Evidence[]; coverage: number } {
  const ranked = [...candidates].sort((a, b) => b.coverage - a.coverage || b.relevance - a.relevance);
  const chosen = [ranked[0]!];
  let covered = ranked[0]!.coverage;
  while (chosen.length < MAX_SUPPORT_SENTENCES) {
    let pick: Evidence | undefined;
    let pickCoverage = covered + MIN_GAIN;
    for (const e of ranked) {
      if (chosen.includes(e)) continue;
      const c = unionCoverage([...chosen, e], retrieval);
      if (c >= pickCoverage) [pick, pickCoverage] = [e, c];
    }
    if (!pick) break;
    chosen.push(pick);
    covered = pickCoverage;
  }
  return { sentences: chosen, coverage: covered };
}

/**
 * A sentence that brings (itself, or by its neighbours) a name of the question its article's title and lead do not
 * ("Mozambique" in an article about a trial in Malawi) must also say some of what is asked ("efficacy"), or hold the kind of fact asked for (a
 * place for "where"): a passing mention ("a second study across Malawi, Mozambique and Zambia") does not answer
 * "What efficacy did it show in Mozambique?", however well the title covers the rest.
 */
function bindsNames(e: Evidence, retrieval: Retrieval, shape: Shape, quantity: string): boolean {
  const asked = predicateTerms(retrieval);
  const brought = [...retrieval.mandatory].some((t) => (e.mentioned.get(t) ?? 0) > 0 && !e.sentence.context.has(t));
  if (!brought || !asked.length || asked.some((t) => e.stated.has(t))) return true;
  return shape !== 'list' && shape !== 'other' && hasShape(e, shape, quantity, retrieval);
}

/**
 * The document that answers: its sentences cover the question (MIN_COVERAGE, over up to three of them), one
 * about the question holds the kind of fact asked for (a figure for "how much", a date for "when"), and none as
 * close says the source does not give it. The best such document's support, or null: the question is not answered.
 */
function answeringSupport(eligible: Evidence[], retrieval: Retrieval, shape: Shape, quantity: string): Evidence[] | null {
  const bySource = new Map<string, Evidence[]>();
  for (const e of eligible) {
    if (e.coverage === 0 || !bindsNames(e, retrieval, shape, quantity)) continue;
    const list = bySource.get(e.sentence.source) ?? [];
    list.push(e);
    bySource.set(e.sentence.source, list);
  }
  let best: { sentences: Evidence[]; coverage: number } | null = null;
  for (const candidates of bySource.values()) {
    const support = supportIn(candidates, retrieval);
    if (support.coverage < MIN_COVERAGE || (best && support.coverage <= best.coverage)) continue;
    const top = support.sentences[0]!.coverage;
    // "The level of the fee was not disclosed" does not withhold the volume of gas asked for: it must name the thing counted.
    const withheld = (e: Evidence) =>
      e.coverage >= Math.max(MIN_COVERAGE, top - 0.1) && NOT_DISCLOSED.test(e.sentence.text) && (!quantity || e.sentence.own.has(quantity));
    if (ENFORCED_SHAPES.has(shape) && candidates.some(withheld)) continue;
    if (ENFORCED_SHAPES.has(shape) && !candidates.some((e) => e.coverage >= SHAPE_FLOOR && hasShape(e, shape, quantity, retrieval))) continue;
    best = support;
  }
  return best?.sentences ?? null;
}

/**
 * The answer, sized to the question: the best sentence first, then another only when it adds something the
 * question asks for (a key term the answer did not yet mention as clearly, or the kind of fact asked for when the
 * answer lacks it), or states a word of the question no chosen sentence states. Questions that ask for a list (what was discussed, which sectors) take further sentences that
 * score nearly as well. Redundant sentences are skipped.
 */
function sizeAnswer(scored: { e: Evidence; score: number }[], shape: Shape, quantity: string, retrieval: Retrieval): Evidence[] {
  const best = scored[0]?.score ?? 0;
  const pool = scored.filter((c) => c.score >= best * KEEP_RATIO);
  const chosen: Evidence[] = [];
  const asked = predicateTerms(retrieval);
  let chars = 0;
  const take = (e: Evidence, limit: number) => {
    if (chosen.length >= limit || chosen.some((d) => cosine(e.vector, d.vector) > REDUNDANT_SIMILARITY)) return;
    // Framing copy ("analysts suggest this could open new avenues") may lead an answer that has nothing better, never pad one.
    if (chosen.length && isFraming(e.sentence.text) && !findPlaceholders(e.sentence.text).length) return;
    const length = Math.min(e.sentence.text.length, MAX_QUOTE_CHARS) + 6;
    if (chars + length > MAX_ANSWER_CHARS) return;
    chosen.push(e);
    chars += length;
  };
  const first = pool[0]?.e;
  if (first) take(first, 1);
  // A lead sets the scene, and a sentence that does not say what is asked may not be the answer: the fact is then
  // likeliest in the sentence that states most of what the question asks (of the kind asked for).
  if (first && (first.sentence.lead || !asked.every((t) => first.stated.has(t)))) {
    const says = (e: Evidence) => ownShare([e], retrieval, isAsked(retrieval));
    const follower = pool
      .filter(({ e }) => e !== first && says(e) > 0 && (!ENFORCED_SHAPES.has(shape) || hasShape(e, shape, quantity, retrieval)))
      .sort((a, b) => says(b.e) - says(a.e) || b.score - a.score)[0];
    if (follower) take(follower.e, 2);
  }
  for (const { e } of pool) {
    if (chosen.includes(e)) continue;
    const adds =
      saysMore(chosen, e, retrieval, MIN_GAIN) ||
      (!chosen.some((d) => hasShape(d, shape, quantity, retrieval)) && hasShape(e, shape, quantity, retrieval));
    if (adds) take(e, MAX_FACT_SENTENCES);
  }
  // A word the question asks about that no chosen sentence states ("fined" in "…earnings, and how much was it
  // fined?") is the other half of the question: the best sentence about the question that states it joins, though
  // the first half's sentence outscores it.
  for (const t of asked) {
    if (chosen.some((e) => e.stated.has(t))) continue;
    const carrier = scored.find(
      ({ e, score }) => score >= best * REMAINING_RATIO && e.stated.has(t) && e.coverage >= MIN_COVERAGE && !chosen.includes(e),
    );
    if (carrier) take(carrier.e, MAX_FACT_SENTENCES);
  }
  if (shape === 'list' || shape === 'names') {
    // Further items of the list are sentences that say what the question asks (the talks, the sectors) themselves.
    for (const { e, score } of pool) {
      if (score >= best * LIST_RATIO && !chosen.includes(e) && (!asked.length || asked.some((t) => e.stated.has(t)))) take(e, MAX_SENTENCES);
    }
  }
  return chosen;
}

/** Two question terms side by side: a phrase ("critics' award") the answering sentence tends to repeat. */
export function phrasesOf(text: string): Set<string> {
  const ts = terms(text);
  return new Set(ts.slice(1).map((t, i) => `${ts[i]} ${t}`));
}

/** How many of the question's phrases a sentence repeats word for word (its terms adjacent, in the same order). */
export function sharedPhrases(phrases: Set<string>, text: string): number {
  return [...phrasesOf(text)].filter((p) => phrases.has(p)).length;
}

export function composeAnswer(question: string, retrieval: Retrieval, sentences: Sentence[]): ComposedAnswer {
  const eligible = retrieval.evidence.filter((e) => !isQuestionLike(e.sentence));
  const shape = askedShape(question);
  const quantity = quantityAskedFor(question) ?? '';
  const support = retrieval.keyTerms.size ? answeringSupport(eligible, retrieval, shape, quantity) : null;
  if (!support) {
    return {
      status: 'not_found',
      answer: notFoundMessage(closestDocuments(eligible)),
      citations: [],
      flags: [],
      passages: eligible.slice(0, 5).map(toPassage),
    };
  }
  const predicate = predicateTerms(retrieval);
  const phrases = new Set([...phrasesOf(question)].filter((p) => p.split(' ').every(isAsked(retrieval))));
  // A lead-in ("…areas discussed were:") is judged with the list it introduces, since it is cited with it.
  const content = (s: Sentence) => (isLeadIn(s) ? [s, ...listAfter(s, sentences)].map((x) => x.text).join(' ') : s.text);
  const scored = eligible
    .map((e) => ({
      e,
      score:
        (0.5 + 0.5 * e.relevance) *
        (0.35 + e.coverage) *
        (shape === 'list' ? 1 : 0.6 + 0.4 * ownShare([e], retrieval)) *
        (0.75 + 0.25 * factDensity(content(e.sentence))) *
        answerShapeBonus(e, content(e.sentence), shape, quantity, retrieval) *
        (isFraming(e.sentence.text) && !findPlaceholders(e.sentence.text).length && !predicate.every((t) => e.stated.has(t)) ? 0.5 : 1) *
        (e.sentence.lead ? LEAD_BONUS : 1) *
        (e.sentence.lead || isFraming(e.sentence.text) ? 1 : 1 + PHRASE_BONUS * Math.min(MAX_PHRASES, sharedPhrases(phrases, e.sentence.text))),
    }))
    .sort((a, b) => b.score - a.score);
  // Stay with the documents that answer: another article is cited only when its evidence is nearly as strong.
  const topScore = scored[0]!.score;
  const strongSources = new Set(scored.filter((c) => c.score >= topScore * 0.8).map((c) => c.e.sentence.source));
  const sized = sizeAnswer(scored.filter((c) => strongSources.has(c.e.sentence.source)), shape, quantity, retrieval);
  // The answer must itself cover the question: the support fills in what it does not yet say (the other half of a
  // two-part question), or where it falls short of the coverage that made the question answerable.
  for (const e of support) {
    if (sized.includes(e)) continue;
    const short = unionCoverage(sized, retrieval) < MIN_COVERAGE;
    if (short || saysMore(sized, e, retrieval, PART_GAIN)) sized.push(e);
  }
  // A blank the source left where the answer should be ('"[insert quote]," he said', "valued at [TBD]") belongs in
  // the answer, flagged: a sentence of the answering article that holds one, states some of what is asked and is of
  // the kind asked for.
  const answering = new Set(sized.map((e) => e.sentence.source));
  const blank = scored.find(
    ({ e }) =>
      !sized.includes(e) &&
      answering.has(e.sentence.source) &&
      e.coverage >= MIN_COVERAGE &&
      findPlaceholders(e.sentence.text).length > 0 &&
      [...retrieval.keyTerms.keys()].some((t) => !retrieval.mandatory.has(t) && e.stated.has(t)) &&
      hasShape(e, shape, quantity, retrieval),
  );
  if (blank) sized.push(blank.e);
  const chosen = withListItems(sized, sentences);

  const sourceOrder = [...new Set(chosen.map((e) => e.sentence.source))];
  chosen.sort(
    (a, b) => sourceOrder.indexOf(a.sentence.source) - sourceOrder.indexOf(b.sentence.source) || a.sentence.position - b.sentence.position,
  );
  const passages = chosen.map(toPassage);
  const citations = citationsFor(passages);
  const flags = mergeFlags(passages.flatMap((p) => flagsOf(p.source, p.text)));

  // When the best evidence has a hole where the answer should be, say so first; elsewhere the flag suffices.
  const lines: string[] = [];
  const best = chosen.indexOf(scored[0]!.e);
  const hole = best >= 0 ? findPlaceholders(passages[best]!.text)[0] : undefined;
  if (hole) {
    lines.push(`The source leaves this detail blank: where it should be, the article reads “${placeholderClause(passages[best]!.text, hole.text)}” [${best + 1}].`);
  }
  const body = passages.map((p, i) => `${p.text}${p.text.length < chosen[i]!.sentence.text.length ? '…' : ''} [${i + 1}]`).join(' ');
  const answer = truncateAtWord([...lines, body].join(' '), MAX_ANSWER_CHARS);
  const others = eligible.filter((e) => !chosen.includes(e)).slice(0, Math.max(0, 6 - passages.length)).map(toPassage);
  return { status: 'answered', answer, citations, flags, passages: [...passages, ...others] };
}
