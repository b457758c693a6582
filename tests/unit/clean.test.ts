import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkDocument } from '../../src/rag/ingest/chunk.js';
import { cleanDocument } from '../../src/rag/ingest/clean.js';
import { findPlaceholders, findSpeculation } from '../../src/rag/text/flags.js';

const corpus = Object.fromEntries(readdirSync('corpus').map((f) => [f, readFileSync(join('corpus', f), 'utf8')]));
const cleaned = Object.fromEntries(Object.entries(corpus).map(([f, raw]) => [f, cleanDocument(raw)]));
const all = Object.values(cleaned).map((d) => d.text).join('\n');

describe('cleaning the real corpus', () => {
  it.each([
    ['separator lines', /^\s*(?:\.\s*){3,}$/m],
    ['site furniture', /Exit mobile version/],
    ['author blurbs', /seasoned investigative journalist|foreign correspondent with a knack/],
    ['agency trailers', /Based on materials from TASS|GSV "Russia/],
    ['calls to comment', /Share your insights and comments below/],
    ['SEO leftovers', /LSI Keywords/],
    ['promotional asides', /Pro Tip:/],
    ['bullet glyphs', /^\s*[•-]\s/m],
    ['missing spaces after punctuation', /relations,lavrov|Africa\.These|strong,as/],
    ['runs of spaces', / {2,}/],
  ])('removes %s', (_name, pattern) => {
    expect(all).not.toMatch(pattern);
  });

  it('keeps factual asides', () => {
    expect(cleaned['003_aed676f35e158f01.txt']!.text).toContain('Did You Know? The Eurasian Economic Union (EAEU) aims to ensure');
  });

  it('drops a heading repeated on the next line and a section the article repeats', () => {
    const car = cleaned['001_e09e45f6e40bd673.txt']!.text;
    expect(car.split('Significance of Bilateral Relations Between the Central African Republic and Russia').length - 1).toBe(1);
    const togo = cleaned['002_b32f95e2bef2da54.txt']!.text;
    expect(togo.split('The opening ceremony, attended by high-ranking officials').length - 1).toBe(1);
    expect(togo.split('Zimbabwe').length - 1).toBe(1);
  });

  it('keeps each FAQ question with its answer', () => {
    expect(cleaned['003_aed676f35e158f01.txt']!.text).toContain(
      'What key international organizations are Russia and Belarus focusing on for collaboration? The collaboration focuses on the Eurasian Economic Union (EAEU)',
    );
  });

  it('turns every table cell into a sentence that keeps its row and column', () => {
    const car = cleaned['001_e09e45f6e40bd673.txt']!.text;
    expect(car).toMatch(/Agriculture — Sector Potential Investment: US\$ 200 Million\./);
    expect(car).toMatch(/Mining — Sector Potential Investment: US\$ 150 Million\./);
    expect(cleaned['002_b32f95e2bef2da54.txt']!.text).toContain('Angola — Investment (in million USD): 40; Year Established: 2020.');
    expect(cleaned['003_aed676f35e158f01.txt']!.text).toContain('Machinery — Russia: Exporter; Belarus: Importer, Assembly; Meaning: support for production.');
    expect(cleaned['000_c2b3d48a19ad4320.txt']!.text).toContain('Agriculture — Sector Potential Benefits: Increased food production and export opportunities.');
  });

  it('finds exactly one placeholder in the corpus, [insert date] in 000, with its sentence', () => {
    const found = Object.entries(cleaned).flatMap(([f, d]) => d.placeholders.map((p) => ({ f, ...p })));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ f: '000_c2b3d48a19ad4320.txt', text: '[insert date]' });
    expect(found[0]!.sentence).toMatch(/^Arriving on \[insert date\], Lavrov’s trip/);
    const doc = cleaned['000_c2b3d48a19ad4320.txt']!;
    expect(doc.text.slice(found[0]!.offset, found[0]!.offset + 13)).toBe('[insert date]');
  });

  it('does not take brackets, years or acronyms for placeholders', () => {
    expect(findPlaceholders('The Alliance of Sahel States (ASC) [formed in 2023] met in 2024 (EAEU, CIS).')).toEqual([]);
    expect(findPlaceholders('Due on [TBD], see {{author}} and XX/XX; lorem ipsum.').map((p) => p.text)).toEqual([
      '[TBD]',
      '{{author}}',
      'XX/XX',
      'lorem ipsum',
    ]);
  });

  it('marks hedged speculation but not the month of May', () => {
    expect(findSpeculation('Lavrov’s discussions likely touched on investment.')).toEqual(['likely touched on']);
    expect(findSpeculation('The treaty was signed in May 1999.')).toEqual([]);
  });

  it('titles every document', () => {
    expect(cleaned['000_c2b3d48a19ad4320.txt']!.title).toBe('Sergei Lavrov’s Diplomatic Journey: Strengthening Ties Between Russia and Burundi');
    expect(cleaned['003_aed676f35e158f01.txt']!.title).toMatch(/^Russia And Belarus Deepen Strategic Cooperation/);
    expect(cleaned['004_51570dea19fac233.txt']!.title).toMatch(/^Russian Foreign Minister Sergey Lavrov is set to meet/);
    for (const d of Object.values(cleaned)) expect(d.title.length).toBeGreaterThan(10);
  });

  it('maps every copied word back to the same word in the original file', () => {
    for (const [file, doc] of Object.entries(cleaned)) {
      const raw = corpus[file]!;
      let checked = 0;
      for (const paragraph of doc.text.split('\n\n')) {
        if (paragraph.includes(' — ')) continue; // table rows: column names are written by cleaning, not copied
        const start = doc.text.indexOf(paragraph);
        for (const m of paragraph.matchAll(/[\p{L}\p{N}]{4,}/gu)) {
          const at = doc.toOriginal(start + m.index!);
          expect(raw.slice(at, at + m[0].length)).toBe(m[0]);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(200);
    }
  });

  it('chunks carry offsets that slice exactly their text', () => {
    for (const [file, doc] of Object.entries(cleaned)) {
      for (const c of chunkDocument(file, doc)) {
        expect(doc.text.slice(c.start, c.end)).toBe(c.text);
        for (const s of c.sentences) expect(doc.text.slice(s.start, s.end)).toBe(s.text);
      }
    }
  });
});

describe('cleaning any input', () => {
  it('never throws, is idempotent, and chunk offsets always hold', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (input) => {
        const once = cleanDocument(input);
        expect(cleanDocument(once.text).text).toBe(once.text);
        for (const c of chunkDocument('x.txt', once)) expect(once.text.slice(c.start, c.end)).toBe(c.text);
      }),
      { numRuns: 300 },
    );
  });
});
