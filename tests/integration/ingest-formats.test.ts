/**
 * Pages saved from other sites (tests/fixtures/sites: .txt with furniture, a markdown export, an HTML page) through
 * the whole engine: titles and dates users see in sources and citations, quotes that are the article's own words.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Engine } from '../../src/rag/engine.js';

const CORPUS = 'tests/fixtures/sites';
let engine: Engine;

beforeAll(async () => {
  const env = { ...process.env, CORPUS_DIR: CORPUS, INDEX_DIR: mkdtempSync(join(tmpdir(), 'formats-index-')) };
  engine = await Engine.open(loadConfig(env, '/nonexistent'), { autoIngest: true });
});

describe('articles saved from other sites', () => {
  it('are listed with their headline and the date they state', async () => {
    const sources = Object.fromEntries((await engine.sources()).map((s) => [s.source, { title: s.title, date: s.date }]));
    expect(sources['harbour-dues.md']).toEqual({ title: 'Mombasa cuts harbour dues for transit cargo', date: '2025-06-18' });
    expect(sources['rift-valley-geothermal.html']).toEqual({ title: "Olkaria plant adds 83 megawatts to Kenya's grid", date: '2025-03-27' });
    expect(sources['lakeside-port-tender.txt']).toEqual({ title: 'Kisumu port tender draws five bidders', date: '2025-02-04' });
    expect(sources['lakeside-rail-link.txt']).toEqual({ title: 'Rail link to Kisumu reopens for freight', date: undefined });
  });

  it('answer with citations that carry the article date and quote its words, not the page furniture', async () => {
    const a = await engine.ask('How much did the new Olkaria geothermal unit cost?');
    expect(a.status).toBe('answered');
    const cited = a.citations.find((c) => c.source === 'rift-valley-geothermal.html');
    expect(cited).toMatchObject({ title: "Olkaria plant adds 83 megawatts to Kenya's grid", date: '2025-03-27' });
    expect(a.answer).toContain('$210m');
    const page = readFileSync(join(CORPUS, 'rift-valley-geothermal.html'), 'utf8');
    for (const c of a.citations.filter((x) => x.source === 'rift-valley-geothermal.html')) {
      for (const word of c.quote.match(/[\p{L}\p{N}]{4,}/gu) ?? []) expect(page).toContain(word);
    }
    expect(a.answer).not.toMatch(/cookies|Leave a Reply|Photo:|Copyright/);
  });
});
