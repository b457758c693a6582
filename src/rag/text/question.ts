/**
 * The question, analysed once: what kind of answer it wants (a person, a place, a date, a number, a list…), the
 * thing it asks about, its terms with their roles (names and numbers the answer must be about, words naming the
 * kind of answer, nouns pointing back at an earlier turn), and whether it asks for a list, for the latest news or
 * leans on the conversation. Retrieval, answers, summaries and follow-ups all read this one analysis.
 *
 * The kind of answer is read from the question word and the noun it governs ("which minister" → a person, "what
 * year" → a date, "how much did it cost" → money), with the nouns of each kind listed as data
 * (question-words.json). Names are read from capitals, as written; the evidence side types its words the same way
 * (compose/features.ts), so the two agree.
 */
import questionWords from './question-words.json' with { type: 'json' };
import { terms, words } from './terms.js';

export type AnswerType = 'person' | 'place' | 'organization' | 'date' | 'number' | 'money' | 'list' | 'reason' | 'manner' | 'yesno' | 'thing';

export interface QuestionTerm {
  term: string;
  /** The word as the question wrote it (lower-cased), for word-vector look-ups. */
  word: string;
  /** Written with a capital inside the question, or an acronym: a name the answer must be about. */
  name: boolean;
  /** A number ("2005", "4"): the evidence must state it, as it must state a name. */
  numeric: boolean;
  /**
   * A noun pointing back ("on that trip", "at this meeting"): it names what the conversation already set, which the
   * evidence may word otherwise (the trip is "his inaugural visit"), so no answer need repeat it.
   */
  referent: boolean;
  /** A word naming the kind of answer wanted ("which country", "what topics"): the evidence need not repeat it. */
  answerType: boolean;
}

export interface QuestionAnalysis {
  text: string;
  terms: QuestionTerm[];
  answerType: AnswerType;
  /** The term of the thing asked for: "embassi" in "how many embassies", "minist" in "which minister"; null when none. */
  focus: string | null;
  /**
   * The focus is something a named thing has: "the population of Togo", "Russia's ambassador", "the capital of
   * Burundi". The name alone is everywhere in a corpus about it, so only a passage naming the focus answers.
   */
  attribute: boolean;
  /** Asks for several things: "what did they discuss", "which sectors", "list the…". */
  asksList: boolean;
  /** The time the question asks about, from its verb: what will happen, what happened, or either. */
  tense: Tense | null;
  /** Asks about the newest state of things ("latest", "most recent"): the newest answering document should answer. */
  asksLatest: boolean;
  /** Leans on an earlier turn: a pronoun or a noun pointing back ("it", "there", "that trip"). */
  pointsBack: boolean;
  /** Opens as a continuation of an earlier question: "and…", "also…", "what about…". */
  continues: boolean;
}

const stemSet = (list: string[]) => new Set(list.flatMap((w) => terms(w)));

const TYPE_NOUNS = Object.entries(questionWords.typeNouns).map(([type, list]) => [type as AnswerType, stemSet(list)] as const);
const MONEY_WORDS = stemSet(questionWords.moneyWords);
const LIST_VERBS = stemSet(questionWords.listVerbs);
const LIST_NOUNS = new Set(questionWords.listNouns);
const ANSWER_TYPE_WORDS = stemSet(questionWords.answerTypeWords);
const wordsPattern = (list: string[]) => new RegExp(`\\b(?:${list.map((w) => w.replace(/ /g, '\\s+')).join('|')})\\b`, 'i');
const TENSE_MARKERS = { future: wordsPattern(questionWords.futureWords), past: wordsPattern(questionWords.pastWords) } as const;
export type Tense = keyof typeof TENSE_MARKERS;

/** The times a text speaks of, by its markers ("will", "is set to"; "was", "previously"): questions and evidence alike. */
export function tensesIn(text: string): Set<Tense> {
  return new Set((Object.keys(TENSE_MARKERS) as Tense[]).filter((t) => TENSE_MARKERS[t].test(text)));
}

const LATEST = new RegExp(`\\b(?:${questionWords.latestWords.join('|')})\\b`, 'i');

export const isAnswerTypeTerm = (t: string) => ANSWER_TYPE_WORDS.has(t);

const WH = new Set(['who', 'whom', 'whose', 'what', 'which', 'when', 'where', 'why', 'how']);
const AUXILIARY = new Set(['is', 'are', 'was', 'were', 'did', 'does', 'do', 'has', 'have', 'had', 'will', 'would', 'can', 'could', 'should', 'might', 'may', 'shall']);
const DETERMINERS = new Set(['the', 'a', 'an', 'this', 'that', 'these', 'those', 'its', 'their', 'his', 'her', 'kind', 'type', 'sort', 'of']);
/** "how long", "how old": a measure, read as a number. */
const HOW_MEASURE = new Set(['long', 'old', 'far', 'large', 'big', 'high', 'tall', 'deep', 'fast', 'often', 'wide', 'heavy', 'small', 'low', 'strong']);
/** Requests without a question word: "List the…", "Name the…" ask for names; "Describe…" for an account. */
const LISTING_REQUEST = new Set(['list', 'name', 'enumerate']);
/** A preposition, a demonstrative, then the noun it points back with: "on that trip", "during those talks". */
const POINTING_BACK = /\b(?:on|at|in|during|from|after|before|since|of|about|for) (?:that|this|those|these) ([\p{L}'’]+)/giu;
const PRONOUN_BACK = /\b(?:it|its|that|this|these|those|there|then|he|him|his|she|her|they|them|their|else|same|former|latter)\b/i;
/** A conjunction opening a question that continues an earlier one ("And when…?", "Also, who…?"). */
export const LEADING_CONJUNCTION = /^\s*(?:and|also|but|so|plus|or)\b[\s,]*/i;
const CONTINUES = new RegExp(`${LEADING_CONJUNCTION.source}|^\\s*(?:what|how) about\\b`, 'i');
/**
 * An initial before a name ("S. Jaishankar", "J. R. Smith"), not part of a dotted acronym ("U.S."): articles name
 * the person without it ("Mr. Jaishankar said"), and as a term it is one letter that "U.S." shares.
 */
const INITIAL = /(?<![\p{L}.])\p{Lu}\.(?=\s+\p{Lu})/gu;
/** Word tokens as written, apostrophes and thousands separators kept inside them. */
const TOKEN = /\p{N}+(?:[.,]\p{N}+)*(?![\p{L}\p{N}])|[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;

/** The kind of answer a noun names, when the noun is one of question-words.json's. */
function typeOfNoun(word: string): AnswerType | null {
  const t = terms(word)[0];
  if (!t) return null;
  for (const [type, nouns] of TYPE_NOUNS) if (nouns.has(t)) return type;
  return null;
}

interface Reading {
  answerType: AnswerType;
  focus: string | null;
  asksList: boolean;
  attribute?: boolean;
}

const FORMS_OF_BE = new Set(['is', 'are', 'was', 'were', 'be', 'been']);
const isName = (token: string) => /^\p{Lu}/u.test(token);
const isPlural = (word: string) => LIST_NOUNS.has(word) || (/[^s]s$/.test(word) && word.length > 3);
const termOf = (word: string) => terms(word)[0] ?? null;

/**
 * What follows "what"/"which". Straight after it, the noun it governs decides ("which Kenyan minister" → a person,
 * "what year" → a date, "which sectors" → a list), names skipped. After a form of "be" ("what is the population
 * of…") the noun after it does. After "did"/"has" the subject follows and the question asks for the verb's object:
 * a list when the verb is one of discussing or agreeing ("what did they discuss"), otherwise a thing.
 */
/** Words ending a noun phrase: "the population of Togo", "the salary in Indiana". */
const PREPOSITIONS = new Set(['of', 'in', 'on', 'at', 'for', 'with', 'by', 'from', 'to', 'under', 'over', 'during', 'about', 'between', 'into', 'after', 'before', 'since', 'than', 'like', 'as', 'who', 'that']);
/** "The name of the man": the kind asked for is that of what is named. */
const NAMING_NOUNS = new Set(['name', 'names', 'title', 'identity']);

/** The words of the noun phrase starting `tokens`, up to a preposition, a verb's auxiliary or a question word; and what follows it. */
function nounPhrase(tokens: string[]): { words: string[]; rest: string[] } {
  const words: string[] = [];
  let i = 0;
  for (; i < tokens.length && words.length < 4; i++) {
    const w = tokens[i]!.toLowerCase();
    if (AUXILIARY.has(w) || WH.has(w) || PREPOSITIONS.has(w)) break;
    if (!DETERMINERS.has(w)) words.push(tokens[i]!);
  }
  return { words, rest: tokens.slice(i) };
}

/**
 * What follows "what"/"which". Straight after it, the noun it governs decides ("which Kenyan minister" → a person,
 * "what year" → a date, "which sectors" → a list), names skipped. After a form of "be" ("what is the average
 * teacher salary in…") the head of the noun phrase after it does: its last noun. After "did"/"has" the subject
 * follows and the question asks for the verb's object: a list when the verb is one of discussing or agreeing
 * ("what did they discuss"), otherwise a thing. "The name of X" asks for what X is.
 */
/** Words that close a noun phrase without belonging to it ("Russia's ambassador there"). */
const PLACE_ADVERBS = new Set(['there', 'here', 'now', 'then', 'today', 'currently']);

/**
 * Whether the noun phrase `words` (followed by `rest`) names something a named thing has: a name just before its head
 * ("Russia's ambassador", the possessive already cut) or "of" and a name after it ("the capital of Burundi").
 */
function isAttribute(words: string[], rest: string[]): boolean {
  if (words.length > 1 && isName(words.at(-2)!)) return true;
  if (rest[0]?.toLowerCase() !== 'of') return false;
  const owner = rest.slice(1).find((t) => !DETERMINERS.has(t.toLowerCase()));
  return !!owner && isName(owner);
}

/** The head of the noun phrase starting `tokens` ("the president of Togo" → presid): the thing a "who is" asks for. */
function headNoun(tokens: string[]): Pick<Reading, 'focus' | 'attribute'> {
  const { words, rest } = nounPhrase(tokens);
  const kept = words.filter((t) => !PLACE_ADVERBS.has(t.toLowerCase()));
  const head = kept.filter((t) => !isName(t)).at(-1);
  return head ? { focus: termOf(head.toLowerCase()), attribute: isAttribute(kept, rest) } : { focus: null };
}

function readWhat(after: string[]): Reading {
  const verb = AUXILIARY.has(after[0]?.toLowerCase() ?? '') ? after[0]!.toLowerCase() : null;
  // The question's own verb, not one of a clause after a preposition ("say after signing the deal").
  const clauseEnd = after.findIndex((t) => PREPOSITIONS.has(t.toLowerCase()));
  const clause = clauseEnd > 0 ? after.slice(0, clauseEnd) : after;
  const listVerb = clause.flatMap((t) => terms(t)).some((t) => LIST_VERBS.has(t));
  if (verb && !FORMS_OF_BE.has(verb)) return { answerType: listVerb ? 'list' : 'thing', focus: null, asksList: listVerb };
  const { words, rest } = nounPhrase(after.slice(verb ? 1 : 0));
  const common = words.filter((t) => !isName(t)).map((t) => t.toLowerCase());
  if (NAMING_NOUNS.has(common.at(-1) ?? '') && rest[0]?.toLowerCase() === 'of') {
    const named = nounPhrase(rest.slice(1)).words.filter((t) => !isName(t)).map((t) => t.toLowerCase());
    const kind = named.map(typeOfNoun).filter((k): k is AnswerType => !!k).at(-1);
    return { answerType: kind ?? 'thing', focus: termOf(named.at(-1) ?? ''), asksList: false };
  }
  // English noun phrases end on their head: "which state official" asks for an official, not a state. Straight
  // after "which", the phrase may run on into the verb ("which Kenyan minister held talks"): its first two words,
  // unless the second is a plural noun of no kind, the head itself ("what investment opportunities").
  const pluralHead = !verb && common.length > 1 && isPlural(common[1]!) && !typeOfNoun(common[1]!);
  const nouns = verb ? common : pluralHead ? common.slice(1, 2) : common.slice(0, 2);
  // "What is the capital of Burundi": after a form of "be", a noun phrase owned by a name asks for an attribute.
  const attribute = !!verb && isAttribute(words, rest);
  const typed = nouns.filter((w) => typeOfNoun(w)).at(-1);
  // "Which areas", "what topics": nouns of a list ask for one, whatever else they can name.
  if (typed && LIST_NOUNS.has(typed.toLowerCase())) return { answerType: 'list', focus: termOf(typed), asksList: true, attribute };
  if (typed) return { answerType: typeOfNoun(typed)!, focus: termOf(typed), asksList: !verb && isPlural(typed), attribute };
  const head = verb ? nouns.at(-1) : nouns[0];
  if (!head) return { answerType: listVerb ? 'list' : 'thing', focus: null, asksList: listVerb };
  const plural = !verb && isPlural(head);
  return { answerType: plural || listVerb ? 'list' : 'thing', focus: termOf(head), asksList: plural || listVerb, attribute };
}

function readKind(question: string): Reading {
  const tokens = (question.replace(LEADING_CONJUNCTION, '').match(TOKEN) ?? []).map((w) => w.replace(/['’]s$/, ''));
  const lower = tokens.map((t) => t.toLowerCase());
  const at = lower.findIndex((w) => WH.has(w));
  if (at < 0) {
    const first = lower[0] ?? '';
    if (LISTING_REQUEST.has(first)) return { answerType: 'list', focus: null, asksList: true };
    if (AUXILIARY.has(first)) return { answerType: 'yesno', focus: null, asksList: false };
    return { answerType: 'thing', focus: null, asksList: false };
  }
  const after = lower.slice(at + 1);
  // Words of money asked about, not in a name ("Fort Worth").
  const mentionsMoney = () => tokens.filter((w, i) => i === 0 || !isName(w)).flatMap((w) => terms(w)).some((t) => MONEY_WORDS.has(t));
  switch (lower[at]) {
    case 'who':
    case 'whom':
    case 'whose':
      return { answerType: 'person', ...(FORMS_OF_BE.has(after[0] ?? '') ? headNoun(tokens.slice(at + 2)) : { focus: null }), asksList: false };
    case 'when':
      return { answerType: 'date', focus: null, asksList: false };
    case 'where':
      return { answerType: 'place', focus: null, asksList: false };
    case 'why':
      return { answerType: 'reason', focus: null, asksList: false };
    case 'how': {
      const next = after[0] ?? '';
      if (next === 'many') {
        const thing = tokens.slice(at + 2).find((w) => !DETERMINERS.has(w.toLowerCase()) && !isName(w));
        const counted = thing && !AUXILIARY.has(thing.toLowerCase()) ? termOf(thing) : null;
        return { answerType: 'number', focus: counted, asksList: false };
      }
      if (next === 'much') return { answerType: mentionsMoney() ? 'money' : 'number', focus: null, asksList: false };
      if (HOW_MEASURE.has(next)) return { answerType: 'number', focus: null, asksList: false };
      return { answerType: 'manner', focus: null, asksList: false };
    }
    default: {
      const reading = readWhat(tokens.slice(at + 1));
      const measured = reading.answerType === 'number' || reading.answerType === 'thing';
      return measured && mentionsMoney() ? { ...reading, answerType: 'money' } : reading;
    }
  }
}

/** The question's terms (initials left out), each marked as a name, a number, a word pointing back or one naming the kind of answer. */
export function questionTerms(question: string): QuestionTerm[] {
  const out = new Map<string, QuestionTerm>();
  const referents = new Set([...question.matchAll(POINTING_BACK)].flatMap((m) => terms(m[1]!)));
  const tokens = question.replace(INITIAL, ' ').match(TOKEN) ?? [];
  tokens.forEach((token, i) => {
    const name = (i > 0 && /^\p{Lu}/u.test(token)) || /^\p{Lu}{2,}$/u.test(token);
    for (const t of terms(token)) {
      const known = out.get(t);
      out.set(t, {
        term: t,
        word: known?.word ?? words(token)[0] ?? token.toLowerCase(),
        name: name || !!known?.name,
        numeric: /^\d/.test(t),
        referent: !name && referents.has(t),
        answerType: !name && ANSWER_TYPE_WORDS.has(t),
      });
    }
  });
  return [...out.values()];
}

export function analyseQuestion(question: string): QuestionAnalysis {
  const kind = readKind(question);
  const tenses = tensesIn(question);
  return {
    text: question,
    terms: questionTerms(question),
    ...kind,
    attribute: !!kind.focus && !!kind.attribute,
    // "Will" decides a question that also says "previously": it asks what comes next.
    tense: tenses.has('future') ? 'future' : tenses.has('past') ? 'past' : null,
    asksLatest: LATEST.test(question),
    pointsBack: PRONOUN_BACK.test(question),
    continues: CONTINUES.test(question),
  };
}
