/**
 * Markup from a document or a model reaches Discord shown literally: masked links, spoilers, code fences, headings,
 * bold and bidi controls from a hostile article (and its file name), and from a hostile model reply. The real engine
 * over a corpus holding the article, the real bot, the loopback Discord stand-in and the loopback model server.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isEdit, startHarness, type Harness } from '../support/bot-harness.js';
import { startLlmServer, type LlmServer } from '../support/llm-server.js';

const PHISH = 'https://evil.example/phish';
const HOSTILE_NAME = 'zanzibar `notes` ||x||\u202Etxt.txt';
const HOSTILE_ARTICLE = [
  `Zanzibar ||pineapple|| accord: **Lavrov** signs in [Timbuktu](${PHISH})`,
  '',
  `The Zanzibar pineapple accord covers ||grain deliveries|| and [security](${PHISH}) for Timbuktu, ` +
    'says ```a fenced aside``` with @everyone watching \u202Egnitset\u202C today.',
].join('\n');

/** What stays once every backslash escape is taken out: no markup may remain in it. */
function unescapedMarkup(text: string): string[] {
  const bare = text.replace(/\\./gs, '');
  const found = ['||', '**', '](', '```'].filter((token) => bare.includes(token));
  if (/^#{1,3} /m.test(bare)) found.push('heading');
  if (/[\u202a-\u202e\u2066-\u2069]/.test(text)) found.push('bidi control');
  return found;
}

let harness: Harness;
let llm: LlmServer;
let corpus: string;

beforeAll(async () => {
  llm = await startLlmServer();
  corpus = await mkdtemp(join(tmpdir(), 'markup-corpus-'));
  await cp(join(import.meta.dirname, '../../corpus'), corpus, { recursive: true });
  await writeFile(join(corpus, HOSTILE_NAME), HOSTILE_ARTICLE);
  harness = await startHarness({
    CORPUS_DIR: corpus,
    LLM_PROVIDER: 'openai',
    LLM_MODEL: 'test-model',
    OPENAI_BASE_URL: llm.openaiBaseUrl,
  });
}, 120_000);

afterAll(async () => {
  await harness?.stop();
  await llm?.close();
  await rm(corpus, { recursive: true, force: true });
});

describe('markup that reaches Discord from outside', { timeout: 30_000 }, () => {
  test('a hostile article: its title, quote and file name are shown literally, its links are not links', async () => {
    llm.behave({ kind: 'error', status: 500, message: 'down' }); // the offline answer, quoting the article
    const { discord } = harness;
    const edit = await discord.waitForRequest(isEdit(discord.slashCommand('ask', { question: 'What does the Zanzibar pineapple accord cover?' })));
    const [embed] = edit.body.embeds;
    expect(edit.body.allowed_mentions).toEqual({ parse: [], replied_user: false });
    const fields: { name: string; value: string }[] = embed.fields.filter((f: { value: string }) => f.value.includes('zanzibar'));
    expect(fields.length).toBeGreaterThan(0);
    for (const field of fields) {
      expect(field.value.split('\n').at(-1)).toBe('— `zanzibar ˋnotesˋ ||x||\\u202etxt.txt`');
      expect(field.name).toMatch(/^\[\d\] Zanzibar \\\|\\\|pineapple\\\|\\\| accord: \\\*\\\*Lavrov\\\*\\\* signs in/);
    }
    // The quotes and the answer keep the article's markup (it is what the article says), escaped.
    for (const text of [embed.description, fields.map((f) => f.value).join('\n')]) {
      expect(text).toContain('\\|\\|grain deliveries\\|\\| and [security]\\(https://evil.example/phish)');
      expect(text).toContain('\\`\\`\\`a fenced aside\\`\\`\\` with @everyone watching gnitset today.');
    }
    for (const text of [embed.title, embed.description, ...fields.flatMap((f) => [f.name, f.value.split('\n— ')[0]!])]) {
      expect(unescapedMarkup(text)).toEqual([]);
    }
  });

  test('a hostile model reply: exactly its cited sentences, escaped, and no link of its choosing', async () => {
    llm.behave({
      kind: 'reply',
      text:
        `# Lavrov meets Diop ||in secret|| in **Moscow** [1](${PHISH}). ` +
        'See [the source](https://evil.example/x) ```js alert(1)``` \u202Eevil [1]. Uncited gossip.',
    });
    const { discord } = harness;
    const edit = await discord.waitForRequest(isEdit(discord.slashCommand('ask', { question: 'What did Lavrov discuss in Mali?' })));
    const [embed] = edit.body.embeds;
    expect(embed.description).toBe(
      '\\# Lavrov meets Diop \\|\\|in secret\\|\\| in \\*\\*Moscow\\*\\* [1]. See [the source] \\`\\`\\`js alert(1)\\`\\`\\` evil [1].',
    );
    expect(embed.fields).toHaveLength(1);
    expect(JSON.stringify(edit.body)).not.toContain('evil.example');
  });
});
