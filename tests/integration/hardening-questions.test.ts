/**
 * Whatever is typed as a question: the engine answers, says not found, or refuses with InvalidQuestionError; the
 * CLI exits 2 with one line for invalid input and 0 otherwise; the bot answers or refuses politely, pinging nobody.
 * Empty, whitespace-only, punctuation-only and over-long questions through the CLI are in tests/cli.test.ts.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InvalidQuestionError } from '../../src/rag/errors.js';
import { isEdit, startHarness, type Harness } from '../support/bot-harness.js';
import { CACHE_DIR, MALI, MALI_QUESTION, REAL_CORPUS, tempDir } from '../support/hardening-fixtures.js';
import { spawnTs } from '../support/spawn-ts.js';

let harness: Harness;
let root: string;
let indexDir: string;

beforeAll(async () => {
  root = await tempDir('questions');
  indexDir = join(root, 'index');
  harness = await startHarness({ CORPUS_DIR: REAL_CORPUS, INDEX_DIR: indexDir });
}, 60_000);

afterAll(async () => {
  await harness?.stop();
  await rm(root, { recursive: true, force: true });
});

const INVALID: [string, string][] = [
  ['\u200b\u200c\u200d\ufeff', 'the question is empty'],
  ['\u0007\u0008\u001b\u007f', 'the question is empty'],
  ['.*(', 'the question has no words to search for'],
  ['```\n```\n|| ||', 'the question has no words to search for'],
];

const ODD_BUT_VALID = [
  'Что обсуждал Лавров в Мали?',
  '$(rm -rf /) what did Lavrov discuss in Mali?',
  "'; DROP TABLE documents; --",
  'What is .*( in Mali?',
  '@everyone <@&123456789012345678> ```js\nconsole.log(1)``` ||spoiler|| what about Togo?',
  'What did\tLavrov\u0001discuss\u2028in Mali?',
];

describe('the question path never fails on any input', () => {
  /** Pieces people actually paste: invisible and control characters, markup, injection attempts, other scripts. */
  const fragment = fc.constantFrom(
    '\u200b', '\u200d', '\ufeff', '\u00ad', '\u0000', '\u001b[31m', '\r\n', '\u2028', '\ud800', '\udfff',
    '@everyone', '<@&123456789012345678>', '<#1>', '```', '||', '**', '> ', '$(rm -rf /)', "'; DROP TABLE x; --",
    '.*(', '[a-', '\\', '%s%n', '{{x}}', 'Лавров', 'Мали', '拉夫罗夫', 'مالي', '🇲🇱', '👍🏽', 'Lavrov', 'Mali', 'Togo', 'grain', '?', ' ',
  );
  const question = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 300 }),
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.array(fragment, { maxLength: 40 }).map((parts) => parts.join('')),
    fc.tuple(fc.integer({ min: 1990, max: 2010 }), fragment).map(([n, f]) => f.repeat(Math.ceil(n / f.length)).slice(0, n)),
  );

  test('ask either answers (answered or not_found) or throws InvalidQuestionError', async () => {
    await fc.assert(
      fc.asyncProperty(question, async (q) => {
        try {
          const answer = await harness.engine.ask(q);
          expect(['answered', 'not_found']).toContain(answer.status);
          expect(typeof answer.answer).toBe('string');
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidQuestionError);
        }
      }),
      { numRuns: 200 },
    );
  });

  test.each(ODD_BUT_VALID)('%j is answered or not found', async (q) => {
    expect(['answered', 'not_found']).toContain((await harness.engine.ask(q)).status);
  });

  test('zero-width characters and soft hyphens inside words do not change the answer', async () => {
    const clean = await harness.engine.ask(MALI_QUESTION);
    for (const q of ['What did Lav\u200brov discuss in Ma\u200dli?', 'What did Lav\u00adrov discuss in Mali?', '\ufeffWhat did Lavrov discuss in Mali?']) {
      const answer = await harness.engine.ask(q);
      expect(answer.status, q).toBe('answered');
      expect(answer.citations.map((c) => c.source)).toEqual(clean.citations.map((c) => c.source));
    }
  });
});

describe('npm run ask with odd input', { timeout: 180_000 }, () => {
  const ask = async (question: string) => {
    const { out, exited } = spawnTs('scripts/ask.ts', { CORPUS_DIR: REAL_CORPUS, INDEX_DIR: indexDir, CACHE_DIR }, root, [question]);
    return { code: await exited, ...out };
  };

  test('invalid input: exit 2 and one line with the reason, nothing on stdout, no stack trace', async () => {
    const runs = await Promise.all(INVALID.map(([q]) => ask(q)));
    runs.forEach((run, i) => {
      expect(run.code, JSON.stringify(INVALID[i]![0])).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.trim().split('\n')).toEqual([`error: ${INVALID[i]![1]}`]);
    });
  });

  test('shell, SQL, regex, markup and Russian text: exit 0 with an answer or a not-found reply, no stack trace', async () => {
    const runs = await Promise.all(ODD_BUT_VALID.map(ask));
    runs.forEach((run, i) => {
      expect(run.code, `${ODD_BUT_VALID[i]}: ${run.stderr}`).toBe(0);
      expect(run.stdout).toMatch(/\S/);
      expect(run.stderr).not.toMatch(/\n\s+at |error:/);
    });
  });
});

describe('/ask with odd input', { timeout: 30_000 }, () => {
  test('every question gets an answer or a polite one-line refusal, and no reply pings anyone', async () => {
    const { discord } = harness;
    const tooLong = `${MALI_QUESTION} `.repeat(70);
    const questions = [...INVALID.map(([q]) => q), ...ODD_BUT_VALID, tooLong];
    const asks = questions.map((question) => discord.slashCommand('ask', { question }));
    const edits = await Promise.all(asks.map((ask) => discord.waitForRequest(isEdit(ask), 20_000)));
    edits.forEach((edit, i) => {
      expect(edit.body.allowed_mentions.parse, questions[i]).toEqual([]);
      if (edit.body.content) expect(edit.body.content).toMatch(/^Sorry — the question (is empty|has no words to search for|is too long)/);
      else expect(edit.body.embeds[0].description).toMatch(/\S/);
    });
    expect(edits.slice(0, INVALID.length).every((e) => e.body.content?.startsWith('Sorry — '))).toBe(true);
    expect(edits.at(-1)!.body.content).toMatch(/^Sorry — the question is too long \(\d+ characters; the limit is 2000\)\.$/);
    const answered = edits[INVALID.length + ODD_BUT_VALID.indexOf('What is .*( in Mali?')]!.body.embeds[0];
    expect(answered.description).toContain(`\`${MALI}\``);
  });
});
