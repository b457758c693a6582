/** Sentence boundaries with offsets, from ICU's segmenter (built into Node), so every quote can be located exactly. */

export interface SentenceSpan {
  start: number;
  end: number;
  text: string;
}

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/** Sentences of `text[from, to)`, trimmed, with absolute offsets; blank segments are dropped. */
export function splitSentences(text: string, from = 0, to = text.length): SentenceSpan[] {
  const spans: SentenceSpan[] = [];
  for (const { segment, index } of segmenter.segment(text.slice(from, to))) {
    const lead = segment.length - segment.trimStart().length;
    const body = segment.trim();
    if (!body) continue;
    const start = from + index + lead;
    spans.push({ start, end: start + body.length, text: body });
  }
  return spans;
}
