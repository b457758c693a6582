/**
 * Sentence-aware chunks: a few consecutive sentences of one section, overlapping by one sentence so a fact that
 * straddles two chunks is whole in one of them. Offsets point into the cleaned text, so any quote is located exactly.
 */
import type { CleanedDocument } from './clean.js';
import { splitSentences, type SentenceSpan } from '../text/sentences.js';
import type { Located } from '../types.js';

export interface Chunk extends Located {
  /** `<source>#<n>`: stable while the document's cleaned text is unchanged. */
  id: string;
  sentences: SentenceSpan[];
}

const TARGET_CHARS = 700;
/**
 * News prose fills TARGET_CHARS in three to five sentences. The cap matters only for runs of very short lines (a
 * list, a table, a pasted log): at 5 a file of 200,000 one-line sentences made 50,000 chunks and its ingest took
 * over 30 s; at 30 it makes about 7,000, and the dev sets answer the same (`npm run eval -- --set seeds|web`).
 */
const MAX_SENTENCES = 30;

/**
 * A heading that states something ("Key Topics Discussed: Security, Economic Ties, and Humanitarian Aid") is read
 * as its section's first sentence as well, so an answer can quote what it says; a heading that only names its
 * section ("Final Thoughts") is not.
 */
const STATING_HEADING = /:\s*\S+(?:\s+\S+)+/;

function statedHeading(doc: CleanedDocument, section: CleanedDocument['sections'][number]): SentenceSpan[] {
  const heading = section.heading;
  const start = section.start - heading.length;
  if (!STATING_HEADING.test(heading) || start < 0 || doc.text.slice(start, section.start) !== heading) return [];
  return [{ start, end: section.start, text: heading }];
}

export function chunkDocument(source: string, doc: CleanedDocument): Chunk[] {
  const chunks: Chunk[] = [];
  for (const section of doc.sections) {
    const sentences = [...statedHeading(doc, section), ...splitSentences(doc.text, section.start, section.end)];
    let first = 0;
    while (first < sentences.length) {
      let last = first;
      let length = sentences[first]!.text.length;
      while (
        last + 1 < sentences.length &&
        last - first + 1 < MAX_SENTENCES &&
        length + sentences[last + 1]!.text.length <= TARGET_CHARS
      ) {
        last++;
        length += sentences[last]!.text.length;
      }
      const group = sentences.slice(first, last + 1);
      const start = group[0]!.start;
      const end = group[group.length - 1]!.end;
      chunks.push({
        id: `${source}#${chunks.length}`,
        source,
        title: doc.title,
        heading: section.heading,
        start,
        end,
        text: doc.text.slice(start, end),
        sentences: group,
      });
      if (last + 1 >= sentences.length) break;
      first = last > first ? last : last + 1;
    }
  }
  return chunks;
}
