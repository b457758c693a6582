/** Replies stay inside Discord's limits whatever the engine returns, and warnings are never cut away. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { embedLength, type APIEmbed } from 'discord.js';
import { escapeOutside } from '../../src/bot/escape.js';
import { LIMITS, renderAnswer, renderSources, renderTimeline, truncate } from '../../src/bot/render.js';
import { flagLine, type Answer, type Citation, type Flag, type SourceInfo, type Timeline } from '../../src/rag/types.js';


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

  test('an extractive answer is shown once: its text, then one line per document with its date and paragraphs', () => {
    const quotes = ['Lavrov met Diop in Moscow on February 28.', 'Security was *key*.', 'Grain deliveries continue.'];
    const answer: Answer = {
      question: 'and what about Mali?',
      understood: 'What did Lavrov discuss in Mali?',
      status: 'answered',
      answer: quotes.map((q, i) => `${q} [${i + 1}]`).join(' '),
      citations: quotes.map((quote, i) => ({
        n: i + 1,
        source: i < 2 ? 'mali.txt' : 'grain.txt',
        title: i < 2 ? 'Lavrov meets Diop' : 'Grain for the Sahel',
        quote,
        start: 0,
        end: quote.length,
        score: 1,
        paragraph: [3, 1, 7][i],
        ...(i < 2 ? { date: '2024-02-27' } : {}),
      })),
      flags: [],
      timings: { totalMs: 1 },
    };
    const embed = renderAnswer(answer, 'id1').embeds[0]!.toJSON();
    expect(embed.title).toBe('and what about Mali?');
    expect(embed.fields ?? []).toEqual([]);
    expect(embed.description!.split('\n\n')).toEqual([
      '*Understood as: What did Lavrov discuss in Mali?*',
      // The article's own markup is shown as written, not applied.
      'Lavrov met Diop in Moscow on February 28. [1] Security was \\*key\\*. [2] Grain deliveries continue. [3]',
      '[1, 2] **Lavrov meets Diop** · 2024-02-27 · `mali.txt` · ¶ 1, 3\n[3] **Grain for the Sahel** · `grain.txt` · ¶ 7',
    ]);
  });

  test('an answer drawn from documents of different dates says so under its sources', () => {
    const cite = (n: number, source: string, date: string) => ({ n, source, title: source, quote: `Fact ${n}.`, start: 0, end: 7, score: 1, date });
    const answer: Answer = {
      question: 'What is the latest on grain for Mali?',
      status: 'answered',
      answer: 'Fact 1. [1] Fact 2. [2]',
      citations: [cite(1, 'new.txt', '2024-02-27'), cite(2, 'old.txt', '2023-09-21')],
      flags: [],
      timings: { totalMs: 1 },
    };
    const description = renderAnswer(answer, 'id2').embeds[0]!.toJSON().description!;
    expect(description.split('\n').at(-1)).toBe('The cited documents are from different dates (2023-09-21 to 2024-02-27).');
    const sameDay = { ...answer, citations: answer.citations.map((c) => ({ ...c, date: '2024-02-27' })) };
    expect(renderAnswer(sameDay, 'id3').embeds[0]!.toJSON().description).not.toContain('different dates');
  });

  test('a quote the answer does not show word for word (a paraphrase) is quoted in a field', () => {
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

  test('a story told by several copies is one entry, its best copy, with "N copies" and their files', () => {
    const story = { id: 'story-1', documents: ['doc-1.txt', 'doc-3.txt', 'doc-2.txt'] };
    const sources = many.slice(0, 4).map((s) => (story.documents.includes(s.source) ? { ...s, story } : s));
    const embed = renderSources(sources, 0).embeds[0]!.toJSON();
    expect(embed.title).toBe('Indexed documents (4, 2 stories)');
    expect(embed.fields!.map((f) => f.name)).toEqual(['Document 0', 'Document 1']);
    expect(embed.fields![1]!.value).toContain('3 copies: `doc-3.txt`, `doc-2.txt` tell the same story');
  });
});

describe('renderTimeline', () => {
  const event = (i: number): Timeline['events'][number] => ({
    date: `2023-01-${String((i % 28) + 1).padStart(2, '0')}`,
    precision: 'day',
    text: `Event ${i} ${'x'.repeat(250)}`,
    citations: [{ n: i + 1, source: `doc-${i}.txt`, title: 'T', quote: 'q', start: 0, end: 1, score: 0 }],
    dateFrom: 'text',
    year: 'publication',
  });

  test('shows as many events as fit, in order, says how many more, and where a year comes from', () => {
    const embed = renderTimeline({ subject: 'Lavrov', events: Array.from({ length: 40 }, (_, i) => event(i)), undated: [] }).embeds[0]!.toJSON();
    expectWithinLimits(embed);
    expect(embed.title).toBe('Timeline: Lavrov (40 events)');
    expect(embed.description).toMatch(/^\*\*2023-01-01\*\* \(year from the article's date\) “Event 0/);
    expect(embed.description).toMatch(/…and \d+ more \(narrow it with since: and until:\)$/);
  });

  test('an empty timeline says so', () => {
    expect(renderTimeline({ subject: 'Japan', events: [], undated: [] }).embeds[0]!.toJSON().description).toBe('No dated event about this subject in the corpus.');
  });
});
