/**
 * The offline answer: the few evidence sentences that answer the question, each quoted and cited, with flags where
 * the source is unreliable; or an abstention that says what the corpus does cover.
 */
import { findPlaceholders, flagsOf, mergeFlags } from '../text/flags.js';
import type { Evidence, Retrieval, Sentence } from '../search/hybrid-retriever.js';
import { cosine } from '../search/vectors.js';
import { terms } from '../text/terms.js';
import type { Answer, Citation, Passage } from '../types.js';

export const MAX_ANSWER_CHARS = 1500;
const MAX_QUOTE_CHARS = 300;
const MAX_SENTENCES = 5;
/** Sentences plus the list items their lead-ins bring: more sources than this is no longer a short answer. */
const MAX_CITATIONS = 8;

/**
 * Abstention rule. Relevance scores cannot separate answerable from unanswerable questions on this kind of corpus
 * (BM25 scores of both overlap, see NOTES.md); what separates them is whether the evidence mentions what the
 * question is about. Coverage (retrieve.ts) is the share of the question's term weight that one evidence sentence
 * mentions, with its heading, title, lead and neighbours; a sentence missing a name the question asks about covers
 * nothing. Calibrated on eval/questions.jsonl and eval/dev-questions.jsonl: every answerable question has a
 * sentence at 0.65 or more, every unanswerable one stays at 0.56 or less ("population of Mali": an unknown word
 * against a known name) — but for "how many embassies…", which the quantity rule below refuses; the threshold sits
 * between the two.
 */
export const MIN_COVERAGE = 0.62;
/** Sentences kept in an answer must score at least this share of the best one, so weak filler is left out. */
const KEEP_RATIO = 0.55;
/**
 * A document's opening sentence states the setting (who, where, when); citing it keeps an answer from silently
 * accepting a question's framing ("discuss in Mali" when the talks were in Moscow).
 */
const LEAD_BONUS = 1.25;
/** MMR trade-off between relevance and novelty (Carbonell & Goldstein 1998). */
const MMR_LAMBDA = 0.8;

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

/** What kind of fact the question asks for, so evidence that has it can be preferred. */
function answerShapeBonus(question: string, text: string): number {
  const q = question.toLowerCase();
  // Month names capitalised only: "may" is far more often a verb than a month.
  const hasDate =
    /\b(?:January|February|March|April|May|June|July|August|September|October|November|December|\d{4})\b/.test(text) ||
    /\[[^\]]*date[^\]]*\]/i.test(text);
  const hasNumber = QUANTITY.test(text);
  if (/^\s*when\b|\bwhat (?:date|year|day)\b/.test(q)) return hasDate ? 1.3 : 0.8;
  if (/\bhow (?:much|many)\b/.test(q)) return hasNumber ? 1.3 : 0.8;
  // "What did they discuss / agree / focus on": the answer is a list of subjects.
  if (/\b(?:discuss|talk|cover|focus|agree|announc|cooperat|collaborat|sector|area|topic)\w*/.test(q)) {
    return 1 + 0.1 * Math.min(5, listSeparators(text));
  }
  return 1;
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

export function notFoundMessage(titles: string[]): string {
  const shown = titles.slice(0, 8).map((t) => `“${t}”`).join('; ');
  const more = titles.length > 8 ? `; and ${titles.length - 8} more` : '';
  return `I could not find this in the corpus, so I won't guess. The corpus covers: ${shown}${more}.`;
}

/** Picks sentences by maximal marginal relevance: good for the question, and not saying what is already said. */
function selectByMMR(candidates: { e: Evidence; score: number }[]): Evidence[] {
  const chosen: { e: Evidence; score: number }[] = [];
  const best = candidates[0]?.score ?? 0;
  let chars = 0;
  const pool = candidates.filter((c) => c.score >= best * KEEP_RATIO);
  while (pool.length && chosen.length < MAX_SENTENCES) {
    let pick = 0;
    let pickValue = -Infinity;
    pool.forEach((c, i) => {
      const redundancy = Math.max(0, ...chosen.map((d) => cosine(c.e.vector, d.e.vector)));
      const value = MMR_LAMBDA * (c.score / best) - (1 - MMR_LAMBDA) * redundancy;
      if (value > pickValue) {
        pickValue = value;
        pick = i;
      }
    });
    const [next] = pool.splice(pick, 1);
    const redundant = chosen.some((d) => cosine(next!.e.vector, d.e.vector) > 0.92);
    const length = Math.min(next!.e.sentence.text.length, MAX_QUOTE_CHARS) + 6;
    if (redundant || chars + length > MAX_ANSWER_CHARS) continue;
    chosen.push(next!);
    chars += length;
  }
  return chosen.map((c) => c.e);
}

/**
 * For "how much / how many" questions, the thing counted ("embassies" in "How many embassies does Russia have?"),
 * or "" when the words after "how much" name none; null for other questions.
 */
function quantityAskedFor(question: string): string | null {
  const after = question.match(/\bhow (?:much|many)\b(.*)$/i);
  if (!after) return null;
  const words = after[1]!.match(/[\p{L}\p{N}]+/gu) ?? [];
  const thing = words.filter((w) => !/^\p{Lu}/u.test(w)).flatMap((w) => terms(w))[0];
  return thing ?? '';
}

/** Digits or number words ("three berths", "a dozen", "two million"). */
const QUANTITY =
  /\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundreds?|thousands?|millions?|billions?|dozens?)\b/i;

/** A sentence gives the quantity when it has a number and names the thing counted in its own words. */
function statesQuantity(s: Sentence, thing: string): boolean {
  return QUANTITY.test(s.text) && (!thing || [...s.own].some((t) => t === thing || t.startsWith(thing) || thing.startsWith(t)));
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

export function composeAnswer(question: string, retrieval: Retrieval, titles: string[], sentences: Sentence[]): ComposedAnswer {
  const eligible = retrieval.evidence.filter((e) => !isQuestionLike(e.sentence));
  const supporting = eligible.filter((e) => e.coverage >= MIN_COVERAGE);
  const quantity = quantityAskedFor(question);
  const answerable = supporting.length > 0 && (quantity === null || supporting.some((e) => statesQuantity(e.sentence, quantity)));
  if (!answerable || retrieval.keyTerms.size === 0) {
    return { status: 'not_found', answer: notFoundMessage(titles), citations: [], flags: [], passages: eligible.slice(0, 5).map(toPassage) };
  }
  // A lead-in ("…areas discussed were:") is judged with the list it introduces, since it is cited with it.
  const content = (s: Sentence) => (isLeadIn(s) ? [s, ...listAfter(s, sentences)].map((x) => x.text).join(' ') : s.text);
  const scored = eligible
    .map((e) => ({
      e,
      score:
        (0.5 + 0.5 * e.relevance) *
        (0.35 + e.coverage) *
        (0.75 + 0.25 * factDensity(content(e.sentence))) *
        answerShapeBonus(question, content(e.sentence)) *
        (isFraming(e.sentence.text) && !findPlaceholders(e.sentence.text).length ? 0.5 : 1) *
        (e.sentence.lead ? LEAD_BONUS : 1),
    }))
    .sort((a, b) => b.score - a.score);
  // Stay with the documents that answer: another article is cited only when its evidence is nearly as strong.
  const topScore = scored[0]!.score;
  const strongSources = new Set(scored.filter((c) => c.score >= topScore * 0.8).map((c) => c.e.sentence.source));
  const selected = selectByMMR(scored.filter((c) => strongSources.has(c.e.sentence.source)));
  const chosen = withListItems(selected, sentences);

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
