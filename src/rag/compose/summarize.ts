/**
 * Extractive summaries that read like a news brief. A document's summary opens with its lead, the first sentences
 * of article text, which in news say who did what, when and where (taking an article's first sentences, "lead-3",
 * is a famously strong baseline for news summaries: See et al. 2017). It then adds the few sentences that cover
 * the article's recurring subjects not yet said, preferring prose: a list item or table row read alone is a
 * fragment. A topic's summary gives one line per relevant article, most relevant first.
 */
import { citationsFor, factDensity, isFraming } from './answer.js';
import { isFurniture, opensWithDateline } from '../ingest/clean.js';
import { findPlaceholders, findSpeculation, flagsOf, mergeFlags } from '../text/flags.js';
import { ABOUT_COVERAGE, coverage, mentions, type HybridRetriever, type Sentence } from '../search/hybrid-retriever.js';
import { questionTerms } from '../text/question.js';
import { terms } from '../text/terms.js';
import { wordCount } from '../text/sentences.js';
import type { DocumentRef, Passage, Summary, SummaryDocument } from '../types.js';

export const MAX_SUMMARY_CHARS = 700;
const MIN_SENTENCES = 3;
const MAX_SENTENCES = 5;
/** A sentence beyond the minimum must be worth this share of the first point chosen after the lead. */
const WORTHWHILE_RATIO = 0.5;
/** Articles a topic summary names; the rest are counted in `more`. */
export const MAX_TOPIC_DOCUMENTS = 5;
/** A topic line's second sentence must be about as relevant as its first, and the line stay readable. */
const SECOND_SENTENCE_RATIO = 0.7;
const MAX_TOPIC_LINE_CHARS = 450;
/** A second sentence sharing more of its words than this with the first says the same thing again. */
const MAX_TERM_OVERLAP = 0.5;
/** A longer sentence would take half the budget: the lead may, a later point may not. */
const MAX_POINT_CHARS = 320;
const MAX_LEAD_CHARS = 420;
/**
 * How much an article's opening counts over its end when choosing main points: news puts what matters first
 * (the inverted pyramid) and ends on background and outlook. A point at the end weighs this share less.
 */
const LATENESS_DISCOUNT = 0.5;
/**
 * Points are valued per square root of their length, so a long sentence must say more to be chosen; below this
 * length none counts as cheaper, or short sentences leaning on their neighbours ("He later paid a call.") win.
 */
const SHORT_SENTENCE_CHARS = 120;
const ONCE_WEIGHT = Math.log(3) / 2;


/** What summaries read of an indexed document: its cleaned text, for paragraph breaks and exact quotes. */
export interface SummarizedDocument extends DocumentRef {
  text: string;
}

/** One sentence of the document (as the splitter drew it, titles and initials inside) with its place in the text. */
interface Unit {
  sentence: Sentence;
  start: number;
  end: number;
  /** Verbatim cleaned text: document.text.slice(start, end). */
  text: string;
  paragraph: number;
  /** The only sentence of its paragraph. */
  alone: boolean;
  /** Ends with a colon: it introduces a list or table. */
  leadIn: boolean;
  /** A list item or table row: a fragment unless read with its lead-in. */
  item: boolean;
  /** The rest of a sentence the unit before left unfinished. */
  continuation: boolean;
  /** Shortened to its first clauses (a lead too long to quote whole): shown with "…". */
  cut?: boolean;
  terms: Set<string>;
}

const PARAGRAPH_BREAK = /\n[ \t]*\n/g;
/** "Agriculture — Sector Potential Benefits: …": a table row as the cleaner writes it. */
const TABLE_ROW = /^[^—:\n]{1,80} — [^:\n]{1,120}: /;
/** Sentences about the article itself rather than its news. */
const META = /\b(?:this|the following|our|the present) (?:article|report|piece|story|analysis)\b|\bin this (?:article|piece|report)\b/i;
/** Pronouns and demonstratives that lean on the sentence before: weaker out of context. */
const ANAPHORA = /^(?:this|these|those|that|it|its|they|their|he|she|his|her|such|the two)\b/i;


/** Share of the smaller set's terms that the other set also has. */
function overlap(a: Set<string>, b: Set<string>): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const t of small) if (large.has(t)) shared++;
  return small.size ? shared / small.size : 1;
}

/** The document's sentences as units in reading order, with their place in its paragraphs and lists. */
function unitsOf(sentences: Sentence[], document: SummarizedDocument): Unit[] {
  const breaks = [...document.text.matchAll(PARAGRAPH_BREAK)].map((m) => m.index!);
  const paragraphOf = (offset: number) => breaks.filter((b) => b < offset).length;
  const units = sentences.map((sentence): Unit => {
    const { start, end } = sentence;
    const text = document.text.slice(start, end);
    return {
      sentence,
      start,
      end,
      text,
      paragraph: paragraphOf(start),
      alone: false,
      leadIn: /:\s*$/.test(text),
      item: false,
      continuation: false,
      terms: new Set(terms(text)),
    };
  });
  units.forEach((u, i) => {
    u.alone = units[i - 1]?.paragraph !== u.paragraph && units[i + 1]?.paragraph !== u.paragraph;
    const before = units[i - 1];
    // An item stands alone in the paragraph right after a lead-in or after another item of the same list.
    const listGoesOn = !!before && before.paragraph === u.paragraph - 1 && before.sentence.heading === u.sentence.heading;
    // A table's rows are all TABLE_ROW-shaped, so a one-sentence paragraph after a table is prose again.
    u.item = TABLE_ROW.test(u.text) || (u.alone && listGoesOn && (before!.leadIn || (before!.item && !TABLE_ROW.test(before!.text))));
    u.continuation = !!before && !FINISHED.test(before.text) && /^\p{Ll}/u.test(u.text);
  });
  return units;
}

/** Ends as a sentence does; a line cut by a hard wrap ("…agreed to revive a joint") does not. */
const FINISHED = /[.!?…]["'”’)\]]*\s*$/;

/** A sentence of news prose a summary can quote on its own. */
function isProse(u: Unit): boolean {
  return (
    FINISHED.test(u.text) &&
    !u.continuation &&
    !u.item &&
    !u.leadIn &&
    !unbalancedQuote(u.text) &&
    !u.text.trim().endsWith('?') &&
    !isFurniture(u.text) &&
    !META.test(u.text) &&
    wordCount(u.text) >= 8
  );
}

/** Half of a quotation the splitter cut in two: an opening mark without its close, or the reverse. */
function unbalancedQuote(text: string): boolean {
  const opens = text.match(/[“«]/g)?.length ?? 0;
  const closes = text.match(/[”»]/g)?.length ?? 0;
  const straight = text.match(/"/g)?.length ?? 0;
  return opens !== closes || straight % 2 === 1;
}

/** A name after the first word, or a figure: a lead says who, where or when; scene-setting says neither. */
const NAMES_SOMEONE = /\S\s+\p{Lu}|\d/u;

/**
 * Where the article text begins: at a dateline when the page has one near the top, otherwise at the first prose
 * sentence long enough to be a lead rather than a photo caption (a caption stands alone and runs short) that
 * names someone, somewhere or a date.
 */
function leadStart(units: Unit[]): number {
  const dateline = units.slice(0, 20).findIndex((u) => opensWithDateline(u.text) && isProse(u));
  if (dateline >= 0) return dateline;
  const first = units.findIndex((u) => isProse(u) && wordCount(u.text) >= 12 && (!u.alone || u.text.length >= 100) && NAMES_SOMEONE.test(u.text));
  return Math.max(0, first);
}

/**
 * How much of what the article is about a term carries: rare in the corpus, frequent in the article, and twice as
 * much when its title or a section heading names it (headings are the writer's own summary of each part). A word
 * the article uses once is a detail, not a subject: it weighs ONCE_WEIGHT, half of what a second use gives.
 */
function termWeights(units: Unit[], document: SummarizedDocument, retriever: HybridRetriever): Map<string, number> {
  const counts = new Map<string, number>();
  for (const u of units) for (const t of u.terms) counts.set(t, (counts.get(t) ?? 0) + 1);
  const headline = new Set(terms([document.title, ...new Set(units.map((u) => u.sentence.heading))].join(' ')));
  return new Map([...counts].map(([t, n]) => [t, retriever.idf(t) * (n > 1 ? Math.log(1 + n) : ONCE_WEIGHT) * (headline.has(t) ? 2 : 1)]));
}

function toPassage(u: Unit, document: DocumentRef, score: number): Passage {
  const s = u.sentence;
  return { source: s.source, title: document.title, heading: s.heading, text: u.text, start: u.start, end: u.end, score };
}

/** The summary text with citation markers, and its citations grouped by document (each line is one document). */
function assemble(lines: { document: DocumentRef; units: Unit[]; score: number; prefix?: string }[], more: DocumentRef[]): Summary {
  const passages = lines.flatMap((l) => l.units.map((u) => toPassage(u, l.document, l.score)));
  let n = 0;
  const documents: SummaryDocument[] = [];
  const text = lines.map((l) => {
    const numbers = l.units.map(() => ++n);
    documents.push({ ...documentRef(l.document), citations: numbers });
    return `${l.prefix ?? ''}${l.units.map((u, i) => `${u.text}${u.cut ? '…' : ''} [${numbers[i]}]`).join(' ')}`;
  });
  return {
    summary: text.join('\n'),
    citations: citationsFor(passages),
    flags: mergeFlags(passages.flatMap((p) => flagsOf(p.source, p.text))),
    documents,
    more,
  };
}

const documentRef = (d: DocumentRef): DocumentRef => ({ source: d.source, title: d.title, ...(d.date ? { date: d.date } : {}) });

/**
 * A unit cut to at most `max` characters, after its last comma or else its last word that fits: still a verbatim
 * slice of the document, from the sentence's start.
 */
function shortened(u: Unit, max: number): Unit {
  if (u.text.length <= max) return u;
  const room = u.text.slice(0, max);
  const clause = room.lastIndexOf(', ');
  const at = clause > max / 2 ? clause : room.lastIndexOf(' ');
  const text = u.text.slice(0, at > 0 ? at : max);
  return { ...u, text, end: u.start + text.length, cut: true };
}

/** Characters a unit adds to the summary: its text, a space and its "[n]" marker. */
const cost = (u: Unit) => u.text.length + (u.cut ? 6 : 5);

/**
 * A document's summary: its lead (with a lead sentence that holds a placeholder, so the blank is shown and
 * flagged), then, greedily, the prose sentences that say most of the article's weighty vocabulary not yet said,
 * per character; in reading order after the lead, 3–5 sentences within MAX_SUMMARY_CHARS.
 */
export function summarizeSource(retriever: HybridRetriever, document: SummarizedDocument): Summary {
  const units = unitsOf(retriever.sentencesOf(document.source), document);
  if (!units.length) return assemble([], []);
  const start = leadStart(units);
  const prose = units.filter((u, i) => i >= start && isProse(u));
  const lead = shortened(prose[0] ?? units[start]!, MAX_LEAD_CHARS);
  // The rest of the lead: its paragraph, and at least the two prose sentences after it (lead-3).
  const restOfLead = prose.slice(1).filter((u, i) => i < 2 || u.paragraph === lead.paragraph);
  const points = prose.filter((u) => u.text.length <= MAX_POINT_CHARS);
  const weights = termWeights(units, document, retriever);
  const span = Math.max(1, units.at(-1)!.end - lead.start);
  const chosen: Unit[] = [lead];
  const covered = new Set(lead.terms);
  let chars = cost(lead);
  const take = (u: Unit) => {
    chosen.push(u);
    chars += cost(u);
    for (const t of u.terms) covered.add(t);
  };
  for (const u of restOfLead) if (findPlaceholders(u.text).length && chars + cost(u) <= MAX_SUMMARY_CHARS) take(u);

  const value = (u: Unit) => {
    let gain = 0;
    for (const t of u.terms) if (!covered.has(t)) gain += weights.get(t) ?? 0;
    const hedged = findSpeculation(u.text).length > 0;
    return (
      (gain / Math.sqrt(Math.max(u.text.length, SHORT_SENTENCE_CHARS))) *
      (1 - (LATENESS_DISCOUNT * (u.start - lead.start)) / span) *
      (0.8 + 0.4 * factDensity(u.text)) *
      (hedged ? 0.6 : 1) *
      (isFraming(u.text) ? 0.5 : 1) *
      (ANAPHORA.test(u.text) ? 0.8 : 1)
    );
  };
  let firstPointValue = 0;
  while (chosen.length < MAX_SENTENCES) {
    let best: Unit | undefined;
    let bestValue = 0;
    for (const u of points) {
      if (chosen.includes(u) || chars + cost(u) > MAX_SUMMARY_CHARS) continue;
      const v = value(u);
      if (v > bestValue) {
        bestValue = v;
        best = u;
      }
    }
    // Past the minimum, a sentence must be worth its place, not merely fit the room left.
    if (!best || (chosen.length >= MIN_SENTENCES && bestValue < firstPointValue * WORTHWHILE_RATIO)) break;
    firstPointValue ||= bestValue;
    take(best);
  }
  const [first, ...rest] = chosen;
  const ordered = [first!, ...rest.sort((a, b) => a.start - b.start)];
  return assemble([{ document, units: ordered, score: 1 }], []);
}

/**
 * A topic's summary: the articles with a sentence that covers the topic (its names and weighty words, as an answer
 * must: a name the topic writes with a capital has to be mentioned), most relevant first, each on one line with its one or two most relevant prose sentences. A sentence
 * scores by its coverage, more when its own words (not only its title and lead) say the topic; an article by its
 * best sentence, and a little more for each further sentence about the topic. Only `visible` documents (a
 * channel's scope) are considered.
 */
export async function summarizeTopic(
  retriever: HybridRetriever,
  topic: string,
  read: (sources: string[]) => Promise<SummarizedDocument[]>,
  visible: (source: string) => boolean = () => true,
): Promise<Summary> {
  const keyTerms = new Map<string, number>();
  const names = new Set<string>();
  for (const q of questionTerms(topic)) {
    keyTerms.set(q.term, retriever.termWeight(q));
    if (q.name) names.add(q.term);
  }
  const total = [...keyTerms.values()].reduce((a, b) => a + b, 0);
  if (!total) return assemble([], []);
  const onTopic = new Map<string, Map<number, number>>();
  for (const s of retriever.sentences) {
    if (!visible(s.source)) continue;
    const c = coverage(new Map([...keyTerms.keys()].map((t) => [t, mentions(s, t)])), keyTerms, names);
    if (c < ABOUT_COVERAGE) continue;
    const ofSource = onTopic.get(s.source) ?? new Map<number, number>();
    ofSource.set(s.id, c);
    onTopic.set(s.source, ofSource);
  }
  // Only the articles on the topic are read (their cleaned text), not the whole corpus.
  const documents = await read([...onTopic.keys()]);
  const ranked = [...onTopic].flatMap(([source, coverages]) => {
    const document = documents.find((d) => d.source === source);
    if (!document) return [];
    const picks = unitsOf(retriever.sentencesOf(source), document)
      .filter((u) => isProse(u) && u.text.length <= MAX_POINT_CHARS && coverages.has(u.sentence.id))
      .map((unit) => {
        const c = coverages.get(unit.sentence.id)!;
        let own = 0;
        for (const [t, w] of keyTerms) if (unit.terms.has(t)) own += w;
        return { unit, own, score: c * (0.6 + (0.4 * own) / total) * (0.9 + 0.1 * factDensity(unit.text)) };
      })
      // A sentence quoted for a topic says some of it in its own words, not only through its title or lead.
      .filter((p) => p.own > 0)
      .sort((a, b) => b.score - a.score);
    if (!picks.length) return [];
    return [{ document, picks, score: picks[0]!.score * (1 + 0.05 * Math.min(5, picks.length - 1)) }];
  });
  ranked.sort((a, b) => b.score - a.score);
  const lines = ranked.slice(0, MAX_TOPIC_DOCUMENTS).map(({ document, picks }) => {
    const [best, second] = picks;
    const units = [best!.unit];
    const addsNews = (u: Unit) => overlap(u.terms, best!.unit.terms) <= MAX_TERM_OVERLAP;
    const fits = (u: Unit) => cost(best!.unit) + cost(u) <= MAX_TOPIC_LINE_CHARS;
    if (second && second.score >= best!.score * SECOND_SENTENCE_RATIO && fits(second.unit) && addsNews(second.unit)) units.push(second.unit);
    units.sort((a, b) => a.start - b.start);
    const date = document.date ? ` (${document.date})` : '';
    return { document, prefix: `“${document.title}”${date}: `, units, score: best!.score };
  });
  return assemble(lines, ranked.slice(MAX_TOPIC_DOCUMENTS).map((r) => documentRef(r.document)));
}
