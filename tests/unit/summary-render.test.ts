/** A summary posts one field per cited document, names the articles a topic left out, and stays within Discord's limits. */
import fc from 'fast-check';
import { embedLength } from 'discord.js';
import { describe, expect, test } from 'vitest';
import { LIMITS, NO_PINGS, renderSummary } from '../../src/bot/render.js';
import { citationMarks, type Citation, type Summary } from '../../src/rag/types.js';

const citation = (n: number, source: string, quote: string): Citation => ({ n, source, title: `Title of ${source}`, quote, start: 0, end: quote.length, score: 1 });

const topic: Summary = {
  summary: '“Togo embassy”: Russia opened its embassy in Lomé. [1] Trade was discussed. [2]\n“Mali talks”: Lavrov met Diop in Moscow. [3]',
  citations: [citation(1, 'togo.txt', 'Russia opened its embassy in Lomé.'), citation(2, 'togo.txt', 'Trade was discussed.'), citation(3, 'mali.txt', 'Lavrov met Diop in Moscow.')],
  flags: [],
  documents: [
    { source: 'togo.txt', title: 'Togo embassy', date: '2024-03-12', citations: [1, 2] },
    { source: 'mali.txt', title: 'Mali talks', citations: [3] },
  ],
  more: [{ source: 'burundi.txt', title: 'Lavrov in Burundi' }],
};


describe('renderSummary', () => {
  test('shows the quotes once, in the summary, and lists each cited document once with its numbers, date and file', () => {
    const embed = renderSummary(topic, 'Summary: Russia').embeds[0]!.toJSON();
    expect(embed.description).toContain('Russia opened its embassy in Lomé. [1] Trade was discussed. [2]');
    expect(embed.fields!.slice(0, 2)).toEqual([
      { name: '[1, 2] Togo embassy (2024-03-12)', value: '`togo.txt`' },
      { name: '[3] Mali talks', value: '`mali.txt`' },
    ]);
  });

  test('names the articles a topic summary left out and how to see them', () => {
    const embed = renderSummary(topic, 'Summary: Russia').embeds[0]!.toJSON();
    expect(embed.fields!.at(-1)).toEqual({
      name: '…and 1 more',
      value: '`/summary source:` summarises one; `/sources` lists every document.\n“Lavrov in Burundi”.',
    });
  });

  test('names five further articles at most and counts the others, even beside a summary too long to show whole', () => {
    const more = Array.from({ length: 7 }, (_, i) => ({ source: `f${i}.txt`, title: `Article ${i}` }));
    const flags = Array.from({ length: 40 }, (_, i) => ({ kind: 'placeholder' as const, text: `[insert name ${i}]`, source: 'togo.txt' }));
    const embed = renderSummary({ ...topic, summary: 'Lavrov met Diop in Moscow. '.repeat(300), flags, more }, 'Summary: Russia').embeds[0]!.toJSON();
    expect(embed.fields!.at(-1)!.value).toContain('“Article 0”; “Article 1”; “Article 2”; “Article 3”; “Article 4”; and 2 others.');
    expect(embed.description).toContain('⚠ The source leaves this blank: [insert name 0] (togo.txt)');
    expect(embedLength(embed)).toBeLessThanOrEqual(LIMITS.embedTotal);
  });

  test('pings nobody and stays within every limit whatever the summary holds', () => {
    const text = fc.string({ maxLength: 3000 });
    const summaries = fc
      .array(fc.record({ source: fc.stringMatching(/^[\w.-]{1,60}$/), title: fc.string({ maxLength: 400 }), quotes: fc.array(text, { minLength: 1, maxLength: 3 }) }), { maxLength: 30 })
      .chain((docs) =>
        fc.record({ summary: text, more: fc.array(fc.record({ source: fc.string({ maxLength: 60 }), title: fc.string({ maxLength: 300 }) }), { maxLength: 40 }) }).map(({ summary, more }) => {
          let n = 0;
          const citations = docs.flatMap((d) => d.quotes.map((q) => citation(++n, d.source, q)));
          const documents = docs.map((d, i) => ({ source: d.source, title: d.title, citations: citations.filter((c) => c.source === d.source && docs.findIndex((x) => x.source === c.source) === i).map((c) => c.n) }));
          return { summary, citations, flags: [], documents, more } satisfies Summary;
        }),
      );
    fc.assert(
      fc.property(summaries, (s) => {
        const reply = renderSummary(s, 'Summary: a topic');
        expect(reply.allowedMentions).toEqual(NO_PINGS);
        const embed = reply.embeds[0]!.toJSON();
        expect(embed.description!.length).toBeLessThanOrEqual(LIMITS.description);
        expect(embed.fields?.length ?? 0).toBeLessThanOrEqual(LIMITS.fields);
        for (const f of embed.fields ?? []) {
          expect(f.name.length).toBeLessThanOrEqual(LIMITS.fieldName);
          expect(f.value.length).toBeLessThanOrEqual(LIMITS.fieldValue);
        }
        expect(embedLength(embed)).toBeLessThanOrEqual(LIMITS.embedTotal);
      }),
      { numRuns: 200 },
    );
  });
});

describe('citationMarks', () => {
  test('writes a run of three or more as a range, anything else as a list', () => {
    expect(citationMarks([3])).toBe('[3]');
    expect(citationMarks([1, 2])).toBe('[1, 2]');
    expect(citationMarks([1, 2, 3, 4])).toBe('[1–4]');
    expect(citationMarks([1, 4])).toBe('[1, 4]');
  });
});
