/**
 * How long sentence splitting takes on texts of the sizes and shapes ingest meets: news prose from 100 KB to
 * 5 MB, a megabyte without a line break, 200,000 short lines. Splitting must stay linear in the text's length.
 */
import { splitSentences } from '../rag/text/sentences.js';

export interface SplitTiming {
  text: string;
  bytes: number;
  sentences: number;
  ms: number;
  mbPerSecond: number;
}

/** Sentences of the shapes news text takes: abbreviations, initials, decimals, quotes. */
const PROSE = [
  'Mr. Diop met Lavrov in St. Petersburg on Jan. 5, and the U.S. Secretary of State arrived a day later.',
  'India’s S. Jaishankar said trade rose 12.5 per cent to $1.2bn in 2023.',
  '"We will come back," he said.',
  'Officials in Bamako declined to comment on the report, which was published on Tuesday.',
];

function prose(bytes: number, between: string): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < bytes; i++) {
    const paragraph = [PROSE[i % 4], PROSE[(i + 1) % 4], PROSE[(i + 3) % 4]].join(' ');
    parts.push(paragraph);
    length += paragraph.length + between.length;
  }
  return parts.join(between);
}

export function sentenceTexts(): { name: string; text: string }[] {
  return [
    { name: 'prose 100 KB', text: prose(100_000, '\n\n') },
    { name: 'prose 1 MB', text: prose(1_000_000, '\n\n') },
    { name: 'prose 5 MB', text: prose(5_000_000, '\n\n') },
    { name: 'prose 1 MB, no line break', text: prose(1_000_000, ' ') },
    { name: '200,000 short lines', text: Array.from({ length: 200_000 }, (_, i) => `- Item ${i}: troops left No. ${i % 97}`).join('\n') },
  ];
}

export function measureSplitting(name: string, text: string): SplitTiming {
  const started = performance.now();
  const sentences = splitSentences(text).length;
  const ms = performance.now() - started;
  const bytes = Buffer.byteLength(text);
  return { text: name, bytes, sentences, ms: Math.round(ms), mbPerSecond: Math.round(bytes / 1e6 / (ms / 1000) * 10) / 10 };
}
