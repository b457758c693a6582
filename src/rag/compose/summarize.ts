/**
 * Extractive summaries: the central, non-redundant sentences of a document or of the evidence for a topic
 * (centroid scoring with MMR), boilerplate left out, each cited.
 */
import { citationsFor, factDensity, isFraming } from './answer.js';
import { flagsOf, mergeFlags } from '../text/flags.js';
import type { HybridRetriever, Sentence } from '../search/hybrid-retriever.js';
import { cosine } from '../search/vectors.js';
import type { Passage, Summary } from '../types.js';

export const MAX_SUMMARY_CHARS = 1200;
const MMR_LAMBDA = 0.65;


function centroid(vectors: number[][]): number[] {
  const c = new Array<number>(vectors[0]?.length ?? 0).fill(0);
  for (const v of vectors) v.forEach((x, i) => (c[i]! += x));
  return c;
}

/** Central sentences of `pool` by MMR until the length budget is spent, returned in reading order. */
async function central(retriever: HybridRetriever, pool: Sentence[], weights?: Map<number, number>): Promise<Summary> {
  const usable = pool.filter((s) => !/[?:]$/.test(s.text) && !isFraming(s.text) && s.text.length > 40);
  const vectors = await retriever.vectorsOf(usable);
  const center = centroid(vectors);
  const score = usable.map((s, i) => cosine(vectors[i]!, center) * (0.7 + 0.3 * factDensity(s.text)) * (weights?.get(s.id) ?? 1));
  const chosen: number[] = [];
  let chars = 0;
  const remaining = new Set(usable.map((_, i) => i));
  while (remaining.size) {
    let pick = -1;
    let value = -Infinity;
    for (const i of remaining) {
      const redundancy = Math.max(0, ...chosen.map((j) => cosine(vectors[i]!, vectors[j]!)));
      const v = MMR_LAMBDA * score[i]! - (1 - MMR_LAMBDA) * redundancy;
      if (v > value) {
        value = v;
        pick = i;
      }
    }
    remaining.delete(pick);
    const length = usable[pick]!.text.length + 5;
    if (chars + length > MAX_SUMMARY_CHARS) {
      if (chosen.length) break;
      continue;
    }
    chosen.push(pick);
    chars += length;
  }
  const picked = chosen.map((i) => usable[i]!).sort((a, b) => a.source.localeCompare(b.source) || a.position - b.position);
  const passages: Passage[] = picked.map((s) => ({
    source: s.source,
    title: s.title,
    heading: s.heading,
    text: s.text,
    start: s.start,
    end: s.end,
    score: Math.round(score[usable.indexOf(s)]! * 1000) / 1000,
  }));
  return {
    summary: passages.map((p, i) => `${p.text} [${i + 1}]`).join(' '),
    citations: citationsFor(passages),
    flags: mergeFlags(passages.flatMap((p) => flagsOf(p.source, p.text))),
  };
}

export function summarizeSource(retriever: HybridRetriever, source: string): Promise<Summary> {
  return central(retriever, retriever.sentencesOf(source));
}

/** A topic's summary draws on the evidence retrieval finds for it, weighted by how relevant each sentence is. */
export async function summarizeTopic(retriever: HybridRetriever, topic: string): Promise<Summary> {
  const { evidence } = await retriever.retrieve(topic);
  const relevant = evidence.filter((e) => e.coverage > 0).slice(0, 20);
  if (!relevant.length) return { summary: '', citations: [], flags: [] };
  return central(retriever, relevant.map((e) => e.sentence), new Map(relevant.map((e) => [e.sentence.id, e.relevance])));
}
