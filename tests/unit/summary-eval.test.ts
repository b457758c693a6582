/** Summary scoring for `npm run eval -- --summaries`: what counts as a key fact stated, and what a bad set line says. */
import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { QuestionSetError } from '../../src/measure/evaluate.js';
import { configForCorpus, parseSummaryCases, scoreSummary } from '../../src/measure/summaries.js';
import type { Summary } from '../../src/rag/types.js';

const summary = (text: string, quote = text): Summary => ({
  summary: `${text} [1]`,
  citations: [{ n: 1, source: 'cbk.txt', title: 'CBK', quote, start: 0, end: quote.length, score: 1 }],
  flags: [],
  documents: [{ source: 'cbk.txt', title: 'CBK', citations: [1] }],
  more: [],
});

describe('scoreSummary', () => {
  const words = new Map([['cbk.txt', new Set('the central bank of kenya cut its rate by 75 basis points to 12 00 per cent'.split(' '))]]);
  const facts = { source: 'cbk.txt', corpus: 'web' as const, facts: [['central bank of kenya', 'cbk'], ['12 00'], ['october 2024']] };

  test('counts a fact when any alternative stands in the summary, normalised as score.py does', () => {
    const r = scoreSummary(facts, summary('The Central Bank of Kenya cut its rate by 75 basis points to 12.00 per cent.'), words);
    expect(r.factsFound).toEqual(['central bank of kenya', '12 00']);
    expect(r.factsMissed).toEqual(['october 2024']);
    expect(r.coverage).toBeCloseTo(2 / 3);
    expect(r.invalidQuotes).toBe(0);
  });

  test('counts a quote whose words are not in its file as invalid', () => {
    const r = scoreSummary(facts, summary('Kenya cut rates.', 'Uganda raised its rate sharply in November.'), words);
    expect(r.invalidQuotes).toBe(1);
  });
});

describe('parseSummaryCases', () => {
  test('names the file and line of a bad case', () => {
    expect(() => parseSummaryCases('{"source":"a.txt","corpus":"seeds","facts":[["x"]]}\n{"source":"b.txt","corpus":"moon","facts":[["y"]]}', 'set.jsonl')).toThrow(
      new QuestionSetError('set.jsonl:2: corpus: Invalid option: expected one of "seeds"|"web"'),
    );
    expect(() => parseSummaryCases('not json', 'set.jsonl')).toThrow('set.jsonl:1: not a JSON object');
    expect(() => parseSummaryCases('\n', 'set.jsonl')).toThrow('set.jsonl: holds no summary cases');
  });
});

describe('configForCorpus', () => {
  test('keeps the configured index for the configured corpus, and gives another corpus an index of its own', () => {
    const config = loadConfig({ CORPUS_DIR: 'corpus/', INDEX_DIR: '/tmp/idx' }, '/nonexistent');
    expect(configForCorpus(config, 'seeds')).toBe(config);
    expect(configForCorpus(config, 'web')).toMatchObject({ corpusDir: 'eval/web/corpus', indexDir: '/tmp/idx-web', store: { chromaCollection: 'corpus-web' } });
  });
});
