/**
 * Copies of one story: an agency report and the sites that reword, reorder, shorten or pad it. Two documents are
 * copies when they name the same people and places, say much of the same in their words, and each one's lead (what
 * happened) is told by the other. Copies are grouped as one story (transitively), best copy first.
 *
 * Why not MinHash: it estimates the Jaccard similarity of two documents' shingles, and a copy that shortens a
 * story is far from it by Jaccard (the 117-word agency copy of the seed Mali article: word Jaccard 0.24, while 86% of
 * its words are in the original). Containment is what tells a copy, and a names index finds the candidates exactly,
 * at a cost of the pairs that share a rare name. (The npm `minhash` package also took 1.8 s for the 2,125-article
 * archive, hashing each word once per permutation.)
 */
import { findPlaceholders } from '../text/flags.js';
import type { Story } from '../types.js';

export interface CopyCandidate {
  source: string;
  sha256: string;
  text: string;
  /** ISO yyyy-mm-dd, when the document states its date. */
  date?: string;
}

/**
 * Thresholds fitted on the desk dev set (eval/desk: nine copy pairs, six pairs of different stories about the same
 * people), midway between the two: copies share 88–100% of the smaller document's names (different stories at most
 * 78%), 60–79% of its words (different stories, when they share names, 37–52%), and each lead is 52–71% told by the
 * other (different stories 34–39%). On the BBC archive they join 87 pairs: 64 near-verbatim duplicates and 23 updated
 * versions or follow-ups of one story ("Chancellor rallies Labour voters" twice, the Kenteris hearings).
 */
export const COPY_THRESHOLDS = {
  names: 0.83,
  words: 0.55,
  lead: 0.45,
} as const;

/** Words of a lead: about its first two sentences, which say what happened in a news story. */
const LEAD_WORDS = 40;
/**
 * Candidates are found through names used by at most this share of the documents (and at least ten): a copy shares
 * its rare names, and the common ones ("Mr", "US", "Labour") would make the count quadratic (on the archive, 573,000
 * pair counts at 5%, 95,000 at 1%; the same pairs are found).
 */
const RARE_NAME_SHARE = 0.01;
const MIN_RARE_NAME_DOCUMENTS = 10;

/** A capitalised word after a space; one that opens a sentence or a line is no name (see namesIn). */
const CAPITALISED = /(?<=\s)\p{Lu}[\p{L}'’-]+/gu;
/** Whether the word at `at` opens a sentence or a line, where any word is capitalised. */
function opensSentence(text: string, at: number): boolean {
  let i = at - 1;
  while (i > 0 && (text[i] === ' ' || text[i] === '\t')) i--;
  return i <= 0 || '.!?:\n'.includes(text[i]!);
}
/** Words of four letters or more: the short ones are mostly function words, shared by every pair. */
const WORD = /[\p{L}\p{N}]{4,}/gu;

/** A document's names, and its words once a candidate pair needs them: most documents never have one. */
class Features {
  readonly names = new Set<string>();
  private sets?: { words: Set<string>; lead: Set<string> };
  constructor(readonly doc: CopyCandidate) {
    for (const m of doc.text.matchAll(CAPITALISED)) {
      if (!opensSentence(doc.text, m.index)) this.names.add(m[0].toLowerCase().replace(/['’]s$/, ''));
    }
  }
  get words(): Set<string> {
    return this.wordSets().words;
  }
  get lead(): Set<string> {
    return this.wordSets().lead;
  }
  private wordSets(): { words: Set<string>; lead: Set<string> } {
    if (!this.sets) {
      const words = this.doc.text.toLowerCase().match(WORD) ?? [];
      this.sets = { words: new Set(words), lead: new Set(words.slice(0, LEAD_WORDS)) };
    }
    return this.sets;
  }
}

/** Share of `part` found in `whole`. */
function within(part: Set<string>, whole: Set<string>): number {
  if (!part.size) return 0;
  let shared = 0;
  for (const x of part) if (whole.has(x)) shared++;
  return shared / part.size;
}

/** Share of the smaller set found in the larger: a shortened copy is contained in its original. */
const overlap = (a: Set<string>, b: Set<string>) => (a.size <= b.size ? within(a, b) : within(b, a));

function areCopies(a: Features, b: Features): boolean {
  return (
    overlap(a.names, b.names) >= COPY_THRESHOLDS.names &&
    overlap(a.words, b.words) >= COPY_THRESHOLDS.words &&
    Math.min(within(a.lead, b.words), within(b.lead, a.words)) >= COPY_THRESHOLDS.lead
  );
}

/**
 * The copy to cite first: one without template leftovers ("[insert date]"), then the earliest dated (the first to
 * report it; an undated copy after the dated ones), then by file name so the order is stable.
 */
export function preferredOrder(a: CopyCandidate, b: CopyCandidate): number {
  const blanks = (d: CopyCandidate) => (findPlaceholders(d.text).length ? 1 : 0);
  return blanks(a) - blanks(b) || (a.date ?? '9999').localeCompare(b.date ?? '9999') || a.source.localeCompare(b.source);
}

/** Groups the documents that are copies of one story; only groups of two or more are returned, largest first. */
export function groupCopies(docs: CopyCandidate[]): Story[] {
  const features = docs.map((d) => new Features(d));
  const common = Math.max(MIN_RARE_NAME_DOCUMENTS, RARE_NAME_SHARE * docs.length);
  const postings = new Map<string, number[]>();
  features.forEach((f, i) => {
    for (const name of f.names) {
      const list = postings.get(name);
      if (list) list.push(i);
      else postings.set(name, [i]);
    }
  });
  const isRare = (name: string) => postings.get(name)!.length <= common;
  const rareNames = features.map((f) => [...f.names].filter(isRare));
  const parent = features.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i]!)));
  features.forEach((f, i) => {
    // Documents sharing enough of this one's rarer names to be copies: counted over the names index.
    const shared = new Map<number, number>();
    for (const name of rareNames[i]!) for (const j of postings.get(name)!) if (j > i) shared.set(j, (shared.get(j) ?? 0) + 1);
    for (const [j, count] of shared) {
      const other = features[j]!;
      // One name short of the share copies have, among the names rare enough to count: the exact test decides.
      if (count < COPY_THRESHOLDS.names * Math.min(rareNames[i]!.length, rareNames[j]!.length) - 1) continue;
      if (root(i) !== root(j) && areCopies(f, other)) parent[root(j)] = root(i);
    }
  });
  const groups = new Map<number, CopyCandidate[]>();
  features.forEach((f, i) => groups.set(root(i), [...(groups.get(root(i)) ?? []), f.doc]));
  return [...groups.values()]
    .filter((g) => g.length > 1)
    .map((g) => g.sort(preferredOrder))
    .map((g) => ({ id: `story-${g[0]!.sha256.slice(0, 12)}`, documents: g.map((d) => d.source) }))
    .sort((a, b) => b.documents.length - a.documents.length || a.id.localeCompare(b.id));
}
