/**
 * Secrets stay secret: the CLI and the bot run with known DISCORD_TOKEN and OPENAI_API_KEY values and a language
 * model that cannot be reached (so the error path runs and is reported), and no line they print contains either
 * value. `.env` is ignored by git. (The feedback file holding user ids, not names, is in tests/e2e/discord.test.ts.)
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isEdit } from '../support/bot-harness.js';
import { DiscordStandIn } from '../support/discord-standin.js';
import { CACHE_DIR, closedPort, MALI, MALI_QUESTION, REAL_CORPUS, tempDir } from '../support/hardening-fixtures.js';
import { projectRoot, spawnTs } from '../support/spawn-ts.js';

const DISCORD_TOKEN = 'MTEyMjMzNDQ1NTY2Nzc4ODk5.GhardenSecret.sigHARDENsecret9f8e7d6c';
const OPENAI_API_KEY = 'sk-hardening-SECRET-key-0123456789abcdef';
const UNAVAILABLE_NOTE = 'The language model was unavailable (could not connect to the server); this is the offline answer.';

let root: string;
let env: Record<string, string>;

beforeAll(async () => {
  root = await tempDir('secrets');
  env = {
    CORPUS_DIR: REAL_CORPUS,
    INDEX_DIR: join(root, 'index'),
    DATA_DIR: join(root, 'data'),
    CACHE_DIR,
    DISCORD_TOKEN,
    OPENAI_API_KEY,
    LLM_PROVIDER: 'openai',
    LLM_MODEL: 'gpt-4o-mini',
    OPENAI_BASE_URL: `http://127.0.0.1:${await closedPort()}/v1`,
  };
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The token, each of its dot-separated parts long enough to identify it, and the API key. */
const SECRETS = [DISCORD_TOKEN, ...DISCORD_TOKEN.split('.').filter((p) => p.length >= 6), OPENAI_API_KEY];

function expectNoSecret(output: string): void {
  const lines = output.split('\n');
  expect(lines.length).toBeGreaterThan(1);
  for (const secret of SECRETS) expect(lines.filter((line) => line.includes(secret))).toEqual([]);
}

async function cli(script: string, args: string[], extraEnv: Record<string, string> = {}) {
  const { out, exited } = spawnTs(`scripts/${script}.ts`, { ...env, ...extraEnv }, root, args);
  return { code: await exited, ...out };
}

// Limits against a hang, not speed targets: four programs in turn, each starting tsx and loading the word vectors,
// ran past 60 s at a load of 19 on the 2-core machine (the bot's first gateway handshake past 30 s).
describe('the command line', { timeout: 240_000 }, () => {
  test('ingest, ask (with --debug, the model unreachable), summary and a bad setting print neither the token nor the key', async () => {
    const ingest = await cli('ingest', []);
    expect(ingest.code).toBe(0);
    const ask = await cli('ask', ['--json', '--debug', MALI_QUESTION]);
    expect(ask.code).toBe(0);
    const answer = JSON.parse(ask.stdout);
    expect(answer.note).toBe(UNAVAILABLE_NOTE);
    expect(answer.citations[0].source).toBe(MALI);
    const summary = await cli('summary', ['--list']);
    expect(summary.code).toBe(0);
    const badSetting = await cli('ask', ['--debug', MALI_QUESTION], { LLM_TIMEOUT_MS: 'soon' });
    expect(badSetting.code).toBe(2);
    expectNoSecret([ingest, ask, summary, badSetting].map((r) => `${r.stdout}\n${r.stderr}`).join('\n'));
  });
});

describe('the bot', { timeout: 240_000 }, () => {
  test('at trace level, answering with the model unreachable, logs neither the token nor the key', async () => {
    const discord = await DiscordStandIn.start({ heartbeatIntervalMs: 1000 });
    try {
      const bot = spawnTs('src/bot/main.ts', { ...env, DISCORD_API_URL: discord.apiUrl, LOG_LEVEL: 'trace' }, root);
      await discord.waitForSession(1, 120_000);
      const ask = discord.slashCommand('ask', { question: MALI_QUESTION });
      const edit = await discord.waitForRequest(isEdit(ask), 60_000);
      expect(edit.body.embeds[0].footer.text).toContain(UNAVAILABLE_NOTE);
      await expect.poll(() => bot.out.stdout, { timeout: 30_000 }).toContain('command handled');
      bot.child.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
      expectNoSecret(`${bot.out.stdout}\n${bot.out.stderr}`);
      expectNoSecret(JSON.stringify(discord.requests.map((r) => r.body)).replaceAll('},{', '},\n{'));
    } finally {
      await discord.close();
    }
  });
});

describe('the repository', () => {
  const git = promisify(execFile);
  test('.env is ignored by git and not tracked; .env.example is tracked', async () => {
    await expect(git('git', ['check-ignore', '-q', '.env'], { cwd: projectRoot })).resolves.toBeDefined();
    expect((await git('git', ['ls-files', '.env'], { cwd: projectRoot })).stdout).toBe('');
    expect((await git('git', ['ls-files', '.env.example'], { cwd: projectRoot })).stdout.trim()).toBe('.env.example');
  });
});
