import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Engine } from '../../src/rag/engine.js';
import { InvalidQuestionError } from '../../src/rag/errors.js';
import { reciprocalRankFusion } from '../../src/rag/search/hybrid-retriever.js';
import { cleanDocument } from '../../src/rag/ingest/clean.js';

let engine: Engine;
const cleaned = (file: string) => cleanDocument(readFileSync(join('corpus', file), 'utf8')).text;

beforeAll(async () => {
  engine = await Engine.open(loadConfig({ ...process.env, INDEX_DIR: mkdtempSync(join(tmpdir(), 'answer-index-')) }, '/nonexistent'), {
    autoIngest: true,
  });
});

describe('reciprocal rank fusion', () => {
  it('ranks first what both lists rank high, and keeps what only one list found', () => {
    expect(reciprocalRankFusion([[1, 2, 3], [2, 4, 1]])).toEqual([2, 1, 4, 3]);
    expect(reciprocalRankFusion([[], [7]])).toEqual([7]);
  });
});

describe('answers over the real corpus', () => {
  it('answers "What did Lavrov discuss in Mali?" from the Mali article, each sentence cited and quoted exactly', async () => {
    const a = await engine.ask('What did Lavrov discuss in Mali?');
    expect(a.status).toBe('answered');
    expect(a.citations[0]!.source).toBe('004_51570dea19fac233.txt');
    expect(a.answer).toMatch(/military-technical/);
    expect(a.answer).toMatch(/Moscow/);
    for (const c of a.citations) {
      expect(a.answer).toContain(`[${c.n}]`);
      expect(cleaned(c.source).slice(c.start, c.end)).toBe(c.quote);
      expect(c.quote.length).toBeLessThanOrEqual(300);
    }
    expect(a.answer.length).toBeLessThanOrEqual(1500);
  });

  it('finds a table cell asked for by row and column', async () => {
    const a = await engine.ask('How much investment in agriculture did Russia and the CAR propose?');
    expect(a.citations[0]!.source).toBe('001_e09e45f6e40bd673.txt');
    expect(a.answer).toMatch(/US\$ 200 Million/);
  });

  it('matches names across spelling variants and accents', async () => {
    const a = await engine.ask('Who did Vladimir Putin hold talks with from the Central African Republic?');
    expect(a.answer).toMatch(/Touadera/);
    const accented = await engine.ask('What did Touadéra and Putin discuss about security?');
    expect(accented.citations[0]!.source).toBe('001_e09e45f6e40bd673.txt');
    const variant = await engine.ask('What did Sergei Lavrov discuss with Ryzhenkov?');
    expect(variant.citations[0]!.source).toBe('003_aed676f35e158f01.txt');
  });

  it('flags the placeholder and says plainly that the source leaves the date blank', async () => {
    const a = await engine.ask('When did Lavrov arrive in Burundi?');
    expect(a.status).toBe('answered');
    expect(a.flags).toContainEqual({ kind: 'placeholder', text: '[insert date]', source: '000_c2b3d48a19ad4320.txt' });
    expect(a.answer).toMatch(/^The source leaves this detail blank: .*“Arriving on \[insert date\]/);
  });

  it('flags speculation in a cited sentence', async () => {
    const a = await engine.ask("What investment opportunities did Lavrov's discussions touch on in Burundi?");
    expect(a.flags.some((f) => f.kind === 'speculative' && f.source === '000_c2b3d48a19ad4320.txt')).toBe(true);
  });

  it.each(['What did Lavrov discuss in Japan?', 'Who won the 2022 World Cup?', 'What is the population of Togo?', 'What is the capital of Burundi?'])(
    'abstains on "%s", naming what the corpus covers',
    async (q) => {
      const a = await engine.ask(q);
      expect(a.status).toBe('not_found');
      expect(a.citations).toEqual([]);
      expect(a.answer).toMatch(/could not find this in the corpus/);
      expect(a.answer).toContain('Russia And Belarus Deepen Strategic Cooperation');
    },
  );

  it('refuses empty, invisible-only, punctuation-only and over-long questions with a reason', async () => {
    await expect(engine.ask('   ')).rejects.toThrow(InvalidQuestionError);
    await expect(engine.ask('\u200b\u200b\u0007')).rejects.toThrow('the question is empty');
    await expect(engine.ask('?!...')).rejects.toThrow('no words to search for');
    await expect(engine.ask('a'.repeat(2001))).rejects.toThrow('too long (2001 characters; the limit is 2000)');
  });

  it('answers through markup and injection-looking text without harm', async () => {
    for (const q of ["'; DROP TABLE docs; -- what about Mali grain?", '$(rm -rf /) .*( ||spoiler|| @everyone', 'Что обсуждал Лавров в Мали?']) {
      const a = await engine.ask(q);
      expect(['answered', 'not_found']).toContain(a.status);
    }
  });
});
