/**
 * Words as the lexical index and the abstention rule see them: case and accents folded (Touadéra = Touadera), the
 * spelling variants this corpus mixes mapped together (Sergei/Sergey, Belarusian/Belarus), then Porter-stemmed
 * (agriculture = agricultural). Questions and documents go through the same function, so they always agree.
 */
import { stemmer } from 'stemmer';

/** Variants the articles themselves use for one name; extend as new documents bring new ones. */
const VARIANTS: Record<string, string> = {
  sergei: 'sergey',
  belarusian: 'belarus',
  belarusians: 'belarus',
  russian: 'russia',
  russians: 'russia',
  malian: 'mali',
  burundian: 'burundi',
  togolese: 'togo',
  car: 'central african republic',
};

/** Function words, question words and verbs that every question uses and no answer turns on. */
const STOPWORDS = new Set(
  `a about above after again against all also am an and any are as at be because been before being below between both
  but by can could did do does doing down during each few for from further had has have having he her here hers him his
  how i if in into is it its itself just me more most my no nor not now of off on once only or other our out over own
  same she should so some such than that the their them then there these they this those through to too under until up
  very was we were what when where which while who whom why will with would you your yours
  much many tell say said says happen happened mention mentioned give gave given hold held take took make made get got
  go went know describe explain according article source corpus document`.split(/\s+/),
);

export const foldAccents = (s: string) => s.normalize('NFD').replace(/\p{M}+/gu, '');

/** Lower-cased, accent-folded word tokens, hyphenated words split ("military-technical" → military, technical). */
export function words(text: string): string[] {
  return foldAccents(text.toLowerCase()).match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu)?.map((w) => w.replace(/['’]s$/, '')) ?? [];
}

/** Stemming dominates indexing time and corpora repeat their words: each distinct word is analysed once. */
const termCache = new Map<string, string | null>();

/** The index term of one word, or null for a stopword. */
export function term(word: string): string | null {
  let t = termCache.get(word);
  if (t === undefined) {
    t = analyse(word);
    termCache.set(word, t);
  }
  return t;
}

function analyse(word: string): string | null {
  const w = foldAccents(word.toLowerCase()).replace(/['’]s$/, '');
  if (!w || STOPWORDS.has(w)) return null;
  const variant = VARIANTS[w] ?? w;
  return variant.includes(' ') ? variant : /^\d/.test(variant) ? variant : stemmer(variant);
}

/** Index terms of a text, in order, stopwords dropped; multi-word variants expand ("CAR" → central african republic). */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const w of words(text)) {
    const t = term(w);
    if (!t) continue;
    if (t.includes(' ')) out.push(...t.split(' ').map((p) => stemmer(p)));
    else out.push(t);
  }
  return out;
}

export interface QuestionTerm {
  term: string;
  /** The word as the question wrote it (lower-cased), for word-vector look-ups. */
  word: string;
  /** Written with a capital inside the question, or an acronym: a name the answer must be about. */
  name: boolean;
  numeric: boolean;
}

/**
 * Words that name the kind of answer wanted ("which country", "what topics") rather than what it is about: the
 * evidence need not repeat them.
 */
const ANSWER_TYPE_WORDS = new Set(['countri', 'nation', 'year', 'date', 'topic', 'area', 'thing', 'kind', 'type', 'way', 'name', 'person', 'peopl', 'place', 'time', 'issu']);

export const isAnswerTypeTerm = (t: string) => ANSWER_TYPE_WORDS.has(t);

/** The question's index terms, each marked as a name or a number where the question writes it so. */
export function questionTerms(question: string): QuestionTerm[] {
  const out = new Map<string, QuestionTerm>();
  const tokens = question.match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu) ?? [];
  tokens.forEach((token, i) => {
    const name = (i > 0 && /^\p{Lu}/u.test(token)) || /^\p{Lu}{2,}$/u.test(token);
    for (const t of terms(token)) {
      const known = out.get(t);
      out.set(t, { term: t, word: known?.word ?? foldAccents(token.toLowerCase()), name: name || !!known?.name, numeric: /^\d/.test(t) });
    }
  });
  return [...out.values()];
}
