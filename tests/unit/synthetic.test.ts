import { describe, expect, it } from 'vitest';
import { latency } from '../../src/measure/benchmark.js';
import { paraphrases, sentenceSource, syntheticCorpus, type SentenceSource } from '../../src/measure/synthetic.js';

const material: SentenceSource = {
  sentences: [
    'Russian Foreign Minister Sergey Lavrov met Abdoulaye Diop in Moscow on February 28.',
    'The talks covered trade, humanitarian aid and military-technical cooperation.',
    'Russia proposed investing 200 million dollars in agriculture in the Central African Republic.',
    'In 1999 the Union State Treaty was signed by Russia and Belarus.',
    'The foreign minister said the union state treaty rests on a strong basis.',
  ],
  headings: ['Talks in Moscow'],
  titles: ['Lavrov meets Diop'],
};

describe('synthetic corpus for benchmarks', () => {
  it('makes exactly the chunks asked for, with offsets that locate every chunk and sentence', () => {
    const docs = syntheticCorpus(material, 57, 3);
    const chunks = docs.flatMap((d) => d.chunks);
    expect(chunks).toHaveLength(57);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(57);
    for (const doc of docs) {
      for (const c of doc.chunks) {
        expect(doc.text.slice(c.start, c.end)).toBe(c.text);
        for (const s of c.sentences) expect(doc.text.slice(s.start, s.end)).toBe(s.text);
      }
    }
  });

  it('is the same for the same seed and different for another', () => {
    const text = (seed: number) => syntheticCorpus(material, 40, seed).map((d) => d.text).join('\n');
    expect(text(5)).toBe(text(5));
    expect(text(5)).not.toBe(text(6));
  });

  it('varies names and numbers but keeps ordinary capitalised words', () => {
    const text = syntheticCorpus(material, 200, 1).map((d) => d.text).join('\n');
    const names = ['Lavrov', 'Diop', 'Moscow', 'Belarus'];
    // Each name is kept in some documents and replaced in others.
    for (const name of names) expect(text).toContain(name);
    expect(text.match(/Foreign Minister (\p{Lu}\p{L}+)/gu)!.some((m) => !m.endsWith('Sergey'))).toBe(true);
    expect(text).toContain('Union State Treaty');
    expect(new Set(text.match(/\d+ million/g)).size).toBeGreaterThan(10);
  });

  it('takes its material from chunks, once each, leaving out fragments without words', () => {
    const chunk = {
      id: 'a#0',
      source: 'a',
      title: 'T',
      heading: 'H',
      start: 0,
      end: 10,
      text: 'One thing. 12',
      sentences: [
        { start: 0, end: 10, text: 'One thing.' },
        { start: 11, end: 13, text: '12' },
      ],
    };
    expect(sentenceSource([chunk, chunk])).toEqual({ sentences: ['One thing.'], headings: ['H'], titles: ['T'] });
  });
});

describe('benchmark helpers', () => {
  it('rephrases every question six ways, keeping the original first', () => {
    const out = paraphrases(['When did Lavrov arrive in Burundi?', 'Who won?']);
    expect(out).toHaveLength(14);
    expect(out[0]).toBe('When did Lavrov arrive in Burundi?');
    expect(new Set(out).size).toBe(14);
    expect(out.slice(1, 7).every((q) => /lavrov/i.test(q) && /burundi/i.test(q))).toBe(true);
  });

  it('reports nearest-rank percentiles', () => {
    const l = latency(Array.from({ length: 100 }, (_, i) => 100 - i));
    expect([l.n, l.p50, l.p95, l.p99, l.max]).toEqual([100, 50, 95, 99, 100]);
  });
});
