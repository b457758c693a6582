/**
 * Copies in answers. Retrieval finds the same fact in every copy of a story; before an answer is composed, the
 * sentences of copies that state the same fact (statements.ts: same subject, same values) become one piece of
 * evidence, the best copy's (ingest/copies.ts: no template leftovers, earliest dated), so the answer's citations
 * go to different facts and stories. After it is composed, each citation names the other documents that state its
 * fact: "also in N other documents".
 */
import { datesIn, latestWrittenDate, type TextDate } from '../ingest/dates.js';
import type { Evidence, Retrieval, Sentence } from '../search/hybrid-retriever.js';
import type { Citation, DocumentRef, Story } from '../types.js';
import { sameFact, SAME_SUBJECT, statementOf, type Statement } from './statements.js';

/**
 * Copies of a story read for a cited fact, best first, beyond those retrieval brought: a story syndicated to
 * hundreds of sites must not make one answer read them all (the answer path's budget is 100 ms at 100,000 chunks).
 */
export const COPIES_READ = 25;

/** The other copies of a document's story that answers read, best first. */
export function copiesToRead(view: StoryView, source: string): string[] {
  return (view.storyOf(source)?.documents ?? []).filter((d) => d !== source).slice(0, COPIES_READ);
}

/** What the desk modules read of the index besides the retrieval: stories, documents, sentences. */
export interface StoryView {
  /** The story a document is a copy of, when it has copies. */
  storyOf(source: string): Story | undefined;
  /** Title and publication date of a document. */
  document(source: string): DocumentRef;
  /** Every sentence of a document, in order. */
  sentencesOf(source: string): Sentence[];
}

/**
 * Statements of sentences, and the dates of documents, computed once per question: dates and figures read with
 * their document's date.
 */
export class Statements {
  private readonly cache = new Map<number, Statement>();
  private readonly references = new Map<string, string | undefined>();
  constructor(private readonly view: StoryView) {}

  /**
   * The dates a passage of a document writes, resolved against the document's date, or in an undated document
   * against the latest date it writes in full, wherever that stands ("February 28" after "January 28, 2024").
   */
  datesIn(source: string, passage: string): TextDate[] {
    const published = this.view.document(source).date;
    if (published) return datesIn(passage, published);
    if (!this.references.has(source)) this.references.set(source, latestWrittenDate(this.view.sentencesOf(source).map((s) => s.text).join('\n')));
    const undatedReference = this.references.get(source);
    return datesIn(passage, undefined, undatedReference ? { undatedReference } : {});
  }

  of(sentence: Sentence): Statement {
    let found = this.cache.get(sentence.id);
    if (!found) {
      found = statementOf(sentence.text, this.view.document(sentence.source).date);
      this.cache.set(sentence.id, found);
    }
    return found;
  }
}

/**
 * A cheap first look before a statement is read: the share of words two sentences have in common (their index
 * terms, figures left out), below which they cannot be about the same thing.
 */
export function mayShareSubject(a: Sentence, b: Sentence): boolean {
  let shared = 0;
  let sizes = 0;
  for (const t of a.own) {
    if (/^\d/.test(t)) continue;
    sizes++;
    if (b.own.has(t)) shared++;
  }
  for (const t of b.own) if (!/^\d/.test(t)) sizes++;
  return sizes > 0 && (2 * shared) / sizes >= SAME_SUBJECT - 0.15;
}

/** The rank of a document in its story (its best copy first); documents without copies rank first. */
export function copyRank(view: StoryView, source: string): number {
  return view.storyOf(source)?.documents.indexOf(source) ?? 0;
}

export interface CollapsedEvidence {
  retrieval: Retrieval;
  /** For each kept sentence (by id), the sentences of other copies that state the same fact. */
  copies: Map<number, Sentence[]>;
}

/**
 * The retrieval with each fact that several copies of one story state kept once: as the best copy's sentence, ranked
 * where the best-ranked of them stood and credited with what any of them covers of the question.
 */
export function collapseCopies(retrieval: Retrieval, view: StoryView, statements: Statements): CollapsedEvidence {
  const kept: Evidence[] = [];
  const groups = new Map<Evidence, Evidence[]>();
  for (const e of retrieval.evidence) {
    const story = view.storyOf(e.sentence.source);
    const twin = story
      ? kept.find(
          (k) =>
            k.sentence.source !== e.sentence.source &&
            view.storyOf(k.sentence.source) === story &&
            mayShareSubject(k.sentence, e.sentence) &&
            sameFact(statements.of(k.sentence), statements.of(e.sentence)),
        )
      : undefined;
    if (twin) groups.get(twin)!.push(e);
    else {
      kept.push(e);
      groups.set(e, [e]);
    }
  }
  const copies = new Map<number, Sentence[]>();
  const evidence = kept.map((first) => {
    const group = groups.get(first)!;
    if (group.length === 1) return first;
    const best = [...group].sort((a, b) => copyRank(view, a.sentence.source) - copyRank(view, b.sentence.source))[0]!;
    copies.set(best.sentence.id, group.filter((e) => e !== best).map((e) => e.sentence));
    const mentioned = new Map(best.mentioned);
    for (const e of group) for (const [t, m] of e.mentioned) mentioned.set(t, Math.max(mentioned.get(t) ?? 0, m));
    return {
      ...best,
      relevance: Math.max(...group.map((e) => e.relevance)),
      coverage: Math.max(...group.map((e) => e.coverage)),
      mentioned,
      stated: new Set(group.flatMap((e) => [...e.stated])),
    };
  });
  return { retrieval: { ...retrieval, evidence }, copies };
}

/** Citations of an answer, each naming the other copies of its story that state its fact (`alsoIn`). */
export function withCopies(citations: Citation[], collapsed: CollapsedEvidence | undefined, view: StoryView, statements: Statements): Citation[] {
  return citations.map((c) => {
    const story = view.storyOf(c.source);
    if (!story) return c;
    const cited = view.sentencesOf(c.source).find((s) => s.start <= c.start && c.start < s.end);
    if (!cited) return c;
    const found = new Set((collapsed?.copies.get(cited.id) ?? []).map((s) => s.source));
    // Copies retrieval did not bring: the story's other documents are read for a sentence stating the same.
    for (const source of copiesToRead(view, c.source)) {
      if (found.has(source)) continue;
      const same = view.sentencesOf(source).some((s) => mayShareSubject(cited, s) && sameFact(statements.of(cited), statements.of(s)));
      if (same) found.add(source);
    }
    if (!found.size) return c;
    const alsoIn = story.documents.filter((d) => found.has(d)).map((d) => view.document(d));
    return { ...c, alsoIn };
  });
}
