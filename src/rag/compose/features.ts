/**
 * What the answer model (answer-model.ts) sees of each evidence sentence and of each question: numbers that say
 * how much of the question a sentence covers (word for word, through paraphrase, through its context), whether it
 * holds the kind of thing asked for, how retrieval ranked it, and what kind of sentence it is. Nothing here
 * decides: the weights that turn features into decisions are fitted on labelled question sets
 * (src/measure/fit-answers.ts).
 */
import type { Evidence, Retrieval, Sentence, SentenceList } from '../search/hybrid-retriever.js';
import { cosine } from '../search/vectors.js';
import { entityMentions, type EntityKind, type EntityMention } from '../text/entities.js';
import { tensesIn } from '../text/question.js';
import { findPlaceholders } from '../text/flags.js';
import { terms } from '../text/terms.js';

/** The sentence features, in the order the model's weights are stored. */
export const SENTENCE_FEATURES = [
  'relevance',
  'rankReciprocal',
  'denseBehindBest',
  'coverageBehindBest',
  'documentRankReciprocal',
  'dense',
  'ownCoverage',
  'softCoverage',
  'contextCoverage',
  'namesMissing',
  'documentNamesMissing',
  'documentCoverage',
  'neighbourCoverage',
  'headingCoverage',
  'typeMatchPerson',
  'typeMatchPlace',
  'typeMatchOrganization',
  'typeMatchDate',
  'typeMatchNumber',
  'typeMatchMoney',
  'typeMatchBesideCoverage',
  'typeMissing',
  'focusStated',
  'tenseAgrees',
  'tenseClash',
  'early',
  'novelty',
  'phrases',
  'lead',
  'questionLike',
  'framing',
  'logLength',
  'listFit',
  'leadIn',
  'withholds',
  'placeholder',
] as const;
export type SentenceFeature = (typeof SENTENCE_FEATURES)[number];

/** An evidence sentence with its features: what the model scores and the answer quotes. */
export interface Candidate {
  evidence: Evidence;
  features: Record<SentenceFeature, number>;
  /** The names, dates and figures it states that the question did not give, with their places. */
  mentions: EntityMention[];
  /** It states the kind of thing the question asks for (a date for "when"). */
  typeMatch: boolean;
}

/** Kinds of answer a sentence can be checked for; a reason or a list is worded in too many ways to check. */
export const CHECKABLE_ANSWERS: ReadonlySet<string> = new Set(['person', 'place', 'organization', 'date', 'number', 'money']);

/**
 * Sentences about the article, its reader or the moment's significance rather than the news itself: generated
 * copy is full of them ("This visit marks a pivotal moment…"), and they answer nothing.
 */
const FRAMING =
  /\b(?:this article|in conclusion|to conclude|as the world watches|remains to be seen|will continue to follow|readers?|stay tuned|marks? (?:a|an) (?:significant|pivotal|notable|important)|pivotal (?:moment|shift|step)|significant (?:step|turning point|development)|turning point|in a bid to|analysts suggest)\b/i;
export const isFraming = (text: string) => FRAMING.test(text);

/** The source says it does not give a figure, name or date ("did not disclose the price", "terms were undisclosed"). */
const WITHHOLDS =
  /\b(?:did not|didn't|does not|doesn't|would not|wouldn't|declined to|refused to)\s+(?:give|disclose|reveal|say|provide|name|confirm|specify|comment)\b|\b(?:not|never)\s+(?:been\s+)?(?:disclosed|revealed|given|made public)\b|\bundisclosed\b/i;

/** Commas, and at half weight "and"/"or" (which also join clauses): how much of a list a sentence is. */
export const listSeparators = (text: string) => (text.match(/,/g)?.length ?? 0) + 0.5 * (text.match(/\b(?:and|or)\b/g)?.length ?? 0);

/** How much a sentence states checkable facts: names, numbers, dates, enumerations. Framing prose scores 0. */
export function factDensity(text: string): number {
  const names = text.match(/(?<=\S\s+)\p{Lu}[\p{L}-]+/gu)?.length ?? 0;
  const numbers = text.match(/\d[\d,.]*/g)?.length ?? 0;
  return Math.min(1, (names + 2 * numbers + listSeparators(text)) / 8);
}

/** Two question terms side by side: a phrase ("critics' award") the answering sentence tends to repeat. */
export function phrasesOf(text: string): Set<string> {
  const ts = terms(text);
  return new Set(ts.slice(1).map((t, i) => `${ts[i]} ${t}`));
}

const WORD = /[\p{L}\p{N}]+(?:['’]\p{L}+)?/gu;

/**
 * How close a thing of the kind asked for stands to words of the question in a sentence: 1 when one of them is
 * inside or right beside it ("300 school districts", "NASA Administrator Jim Bridenstine"), 1/(1 + n) with n words
 * between, 0 when the sentence states no such thing. A figure or a name far from anything the question speaks of is
 * most often another figure or name than the one asked for.
 */
export function kindNearQuestion(text: string, mentions: EntityMention[], kind: EntityKind, questionTerms: Set<string>): number {
  const asked = mentions.filter((m) => m.kind === kind);
  if (!asked.length) return 0;
  const tokens = [...text.matchAll(WORD)];
  const questionWords = tokens.flatMap((t, i) => (terms(t[0]).some((u) => questionTerms.has(u)) ? [i] : []));
  if (!questionWords.length) return 0;
  let best = 0;
  for (const m of asked) {
    const inside = tokens.flatMap((t, i) => (t.index < m.end && t.index + t[0].length > m.start ? [i] : []));
    // A symbol alone ("$") covers no word: it stands where the next word starts.
    const first = inside[0] ?? tokens.findIndex((t) => t.index >= m.end);
    const last = inside.at(-1) ?? first;
    if (first < 0) continue;
    for (const q of questionWords) {
      const gap = q < first ? first - q - 1 : q > last ? q - last - 1 : 0;
      best = Math.max(best, 1 / (1 + gap));
    }
  }
  return best;
}

/**
 * How close the kind asked for stands to what the question asks of its names in a candidate (kindNearQuestion): a
 * figure beside "districts" or "paid" answers, one beside the company's name may be any of its figures. Read of the
 * few sentences an answer is made of, not of every candidate.
 */
export function typeNearOf(c: Candidate, retrieval: Retrieval): number {
  if (!c.typeMatch) return 0;
  const { question } = retrieval;
  const asked = new Set([...termRoles(retrieval).asked.keys(), ...(question.focus ? [question.focus] : [])]);
  return kindNearQuestion(c.evidence.sentence.text, c.mentions, question.answerType as EntityKind, asked);
}

/** What features need of the index besides the evidence itself. */
export interface FeatureContext {
  /** Whether any sentence of a document (its title and headings included) uses a term, or all of `country` for a capital. */
  documentMentions(source: string, term: string, country?: string[]): boolean;
  /** The sentences of the corpus by id: a sentence's neighbours are read from it. */
  sentences: SentenceList;
}

/** Share of `weights` (by term) for which `has` holds. */
function share(weights: Map<string, number>, has: (t: string) => boolean): number {
  let total = 0;
  let part = 0;
  for (const [t, w] of weights) {
    total += w;
    if (has(t)) part += w;
  }
  return total ? part / total : 0;
}

/** Graded share of `weights`: each term counted by `credit` (0..1). */
function gradedShare(weights: Map<string, number>, credit: (t: string) => number): number {
  let total = 0;
  let part = 0;
  for (const [t, w] of weights) {
    total += w;
    part += w * credit(t);
  }
  return total ? part / total : 0;
}

/** The key terms a sentence's answer must be about (names, numbers) and those it should state (the rest, weighted). */
function termRoles(retrieval: Retrieval) {
  const names = new Map([...retrieval.keyTerms].filter(([t]) => retrieval.mandatory.has(t)));
  const asked = new Map(
    [...retrieval.keyTerms].filter(([t]) => !retrieval.mandatory.has(t) && !retrieval.referents.has(t) && !retrieval.question.terms.find((q) => q.term === t)?.answerType),
  );
  return { names, asked, all: new Map([...names, ...asked]) };
}

const ownHas = (s: Sentence, t: string) => s.own.has(t) || (t.length >= 4 && [...s.own].some((u) => u !== t && u.startsWith(t)));

/** Features of every evidence sentence of a retrieval, in evidence order. */
export function candidatesOf(retrieval: Retrieval, context: FeatureContext): Candidate[] {
  const { question } = retrieval;
  const roles = termRoles(retrieval);
  const given = new Set(question.terms.map((q) => q.term));
  const questionPhrases = phrasesOf(question.text);
  const checkable = CHECKABLE_ANSWERS.has(question.answerType);
  const documentRank = new Map<string, number>();
  for (const e of retrieval.evidence) if (!documentRank.has(e.sentence.source)) documentRank.set(e.sentence.source, documentRank.size);
  const inDocument = new Map<string, { namesMissing: number; coverage: number }>();
  // What the whole document says of the question: a question written from a paragraph that is not in the corpus
  // finds its words scattered over other documents, never together in one.
  const documentCoverage = (source: string) => {
    let found = inDocument.get(source);
    if (!found) {
      const mentions = new Map([...roles.all.keys()].map((t) => [t, context.documentMentions(source, t, retrieval.seats.get(t))]));
      found = { namesMissing: share(roles.names, (t) => !mentions.get(t)), coverage: share(roles.all, (t) => !!mentions.get(t)) };
      inDocument.set(source, found);
    }
    return found;
  };
  const candidates = retrieval.evidence.map((e, rank) => {
    const s = e.sentence;
    const text = s.text;
    const neighbours = [context.sentences.at(s.id - 1), context.sentences.at(s.id + 1)].filter((n): n is Sentence => !!n && n.source === s.source);
    const mentions = entityMentions(text, given);
    const tenses = tensesIn(text);
    const typeMatch = checkable && mentions.some((m) => m.kind === question.answerType);
    const matched = (kind: EntityKind) => (typeMatch && question.answerType === kind ? 1 : 0);
    const neighbourCoverage = Math.max(0, ...neighbours.map((n) => share(roles.all, (t) => ownHas(n, t))));
    const ownTerms = [...s.own];
    const lexical = (t: string) => ownHas(s, t);
    const features: Record<SentenceFeature, number> = {
      relevance: e.relevance,
      denseBehindBest: 0,
      coverageBehindBest: 0,
      rankReciprocal: 1 / (1 + rank),
      documentRankReciprocal: 1 / (1 + documentRank.get(s.source)!),
      dense: retrieval.queryVector.length ? cosine(retrieval.queryVector, e.vector) : 0,
      ownCoverage: share(roles.all, lexical),
      softCoverage: gradedShare(roles.asked, (t) => e.similar.get(t) ?? (lexical(t) ? 1 : 0)),
      contextCoverage: gradedShare(roles.all, (t) => e.mentioned.get(t) ?? 0),
      namesMissing: share(roles.names, (t) => !(e.mentioned.get(t) ?? 0)),
      documentNamesMissing: documentCoverage(s.source).namesMissing,
      documentCoverage: documentCoverage(s.source).coverage,
      neighbourCoverage,
      headingCoverage: share(roles.all, (t) => s.context.has(t) && !s.own.has(t)),
      typeMatchPerson: matched('person'),
      typeMatchPlace: matched('place'),
      typeMatchOrganization: matched('organization'),
      typeMatchDate: matched('date'),
      typeMatchNumber: matched('number'),
      typeMatchMoney: matched('money'),
      // The kind asked for here, the question's words next door: an answer split over two sentences.
      typeMatchBesideCoverage: typeMatch ? neighbourCoverage : 0,
      typeMissing: checkable && !typeMatch ? 1 : 0,
      focusStated: question.focus && ownHas(s, question.focus) ? 1 : 0,
      // "When will they meet?" is answered by what will happen, not by when they last met.
      tenseAgrees: question.tense && tenses.has(question.tense) ? 1 : 0,
      tenseClash: question.tense && tenses.size && !tenses.has(question.tense) ? 1 : 0,
      early: 1 / (1 + s.position),
      novelty: ownTerms.length ? ownTerms.filter((t) => !given.has(t)).length / ownTerms.length : 0,
      phrases: Math.min(2, [...phrasesOf(text)].filter((p) => questionPhrases.has(p)).length) / 2,
      lead: s.lead ? 1 : 0,
      questionLike: text.trim().endsWith('?') ? 1 : 0,
      framing: isFraming(text) ? 1 : 0,
      logLength: Math.log(1 + text.length) / Math.log(1000),
      listFit: question.asksList ? Math.min(5, listSeparators(text)) / 5 : 0,
      leadIn: question.asksList && text.trim().endsWith(':') ? 1 : 0,
      withholds: WITHHOLDS.test(text) ? 1 : 0,
      placeholder: findPlaceholders(text).length ? 1 : 0,
    };
    return { evidence: e, features, mentions, typeMatch };
  });
  // How far each stands behind the best of its question: scores mean little across questions, ranks within one do.
  const best = (f: SentenceFeature) => Math.max(0, ...candidates.map((c) => c.features[f]));
  const [bestDense, bestCoverage] = [best('dense'), best('softCoverage')];
  for (const c of candidates) {
    c.features.denseBehindBest = bestDense - c.features.dense;
    c.features.coverageBehindBest = bestCoverage - c.features.softCoverage;
  }
  return candidates;
}
