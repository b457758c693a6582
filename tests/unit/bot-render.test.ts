/** Replies stay inside Discord's limits whatever the engine returns, and warnings are never cut away. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { APIEmbed } from 'discord.js';
import { escapeOutside } from '../../src/bot/escape.js';
import { LIMITS, renderAnswer, renderSources, truncate } from '../../src/bot/render.js';
import { flagLine, type Answer, type Citation, type Flag, type SourceInfo } from '../../src/rag/types.js';

function embedLength(embed: APIEmbed): number {
  return (
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0)
  );
}

function expectWithinLimits(embed: APIEmbed): void {
  expect(embed.title?.length ?? 0).toBeLessThanOrEqual(LIMITS.title);
  expect(embed.description?.length ?? 0).toBeLessThanOrEqual(LIMITS.description);
  expect(embed.fields?.length ?? 0).toBeLessThanOrEqual(LIMITS.fields);
  for (const f of embed.fields ?? []) {
    expect(f.name.length).toBeLessThanOrEqual(LIMITS.fieldName);
    expect(f.value.length).toBeLessThanOrEqual(LIMITS.fieldValue);
  }
  expect(embedLength(embed)).toBeLessThanOrEqual(LIMITS.embedTotal);
}

const citation = fc.record<Citation>({
  n: fc.nat(99),
  source: fc.stringMatching(/^[\w.-]{1,60}$/),
  title: fc.string({ maxLength: 400 }),
  quote: fc.string({ minLength: 1, maxLength: 3000 }),
  start: fc.nat(),
  end: fc.nat(),
  score: fc.double({ noNaN: true }),
});
const flag = fc.record<Flag>({
  kind: fc.constantFrom('placeholder', 'speculative'),
  text: fc.string({ minLength: 1, maxLength: 60 }),
  source: fc.stringMatching(/^[\w.-]{1,60}$/),
});

describe('truncate', () => {
  test('cuts after the last whole sentence that fits and marks the cut', () => {
    const text = 'Lavrov met Diop in Moscow. They discussed security and grain deliveries at length. More follows here.';
    expect(truncate(text, 45)).toBe('Lavrov met Diop in Moscow.…');
  });

  test('cuts at a word when the last sentence end would throw away more than half', () => {
    const text = 'Lavrov met Diop in Moscow. They discussed security and grain deliveries at length.';
    expect(truncate(text, 60)).toBe('Lavrov met Diop in Moscow. They discussed security and…');
  });

  test('leaves short text alone and never exceeds the limit or splits an emoji', () => {
    expect(truncate('short', 10)).toBe('short');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 500 }), fc.integer({ min: 1, max: 300 }), (text, max) => {
        const out = truncate(text, max);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(out)).toBe(false);
        if (text.length > max) expect(out.endsWith('…')).toBe(true);
      }),
    );
  });
});

describe('renderAnswer', () => {
  test('any answer fits Discord limits, pings nobody, and keeps every warning visible', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 2000 }),
        fc.string({ maxLength: 9000 }),
        fc.array(citation, { maxLength: 40 }),
        fc.array(flag, { maxLength: 3 }),
        (question, text, citations, flags) => {
          const answer: Answer = { question, status: 'answered', answer: text, citations, flags, timings: { totalMs: 1 } };
          const payload = renderAnswer(answer, 'abc123');
          const embed = payload.embeds[0]!.toJSON();
          expectWithinLimits(embed);
          expect(payload.allowedMentions).toEqual({ parse: [], repliedUser: false });
          for (const f of flags) expect(embed.description).toContain(escapeOutside(flagLine(f)));
        },
      ),
      { numRuns: 200 },
    );
  });

  test('a citation field names the document and quotes the passage', () => {
    const answer: Answer = {
      question: 'What did Lavrov discuss in Mali?',
      status: 'answered',
      answer: 'Security cooperation [1].',
      citations: [{ n: 1, source: 'mali.txt', title: 'Lavrov meets Diop', quote: 'Security was *key*.', start: 0, end: 19, score: 1 }],
      flags: [],
      timings: { totalMs: 1 },
    };
    const embed = renderAnswer(answer, 'id1').embeds[0]!.toJSON();
    expect(embed.fields).toEqual([{ name: '[1] Lavrov meets Diop', value: '> Security was \\*key\\*.\n— `mali.txt`' }]);
  });
});

describe('renderSources', () => {
  const many: SourceInfo[] = Array.from({ length: 23 }, (_, i) => ({
    source: `doc-${i}.txt`,
    aliases: [],
    title: `Document ${i}`,
    chunks: i,
    placeholders: [],
  }));

  test('pages long lists with previous/next buttons', () => {
    const first = renderSources(many, 0);
    expect(first.embeds[0]!.toJSON().fields).toHaveLength(10);
    const buttons = first.components[0]!.toJSON().components as { custom_id: string; disabled?: boolean }[];
    expect(buttons.map((b) => [b.custom_id, b.disabled])).toEqual([['sources:-1', true], ['sources:1', false]]);
    const last = renderSources(many, 2).embeds[0]!.toJSON();
    expect(last.fields!.map((f) => f.name)).toEqual(['Document 20', 'Document 21', 'Document 22']);
    expect(last.footer?.text).toBe('Page 3 of 3');
  });

  test('a short list is one page without buttons', () => {
    expect(renderSources(many.slice(0, 4), 0).components).toEqual([]);
  });
});
