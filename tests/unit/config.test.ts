/** Settings a running program could not honour are refused at start, in one line naming the variable. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/rag/errors.js';

const load = (env: Record<string, string>) => () => loadConfig(env, '/nonexistent/.env');

describe('numeric settings are bounded', () => {
  test.each([
    ['LLM_TIMEOUT_MS', '200', 'LLM_TIMEOUT_MS: must be a whole number of milliseconds between 1000 and 600000 (see .env.example)'],
    ['LLM_TIMEOUT_MS', '3000000000', 'LLM_TIMEOUT_MS: must be a whole number of milliseconds between 1000 and 600000 (see .env.example)'],
    ['LLM_TIMEOUT_MS', '1e10', 'LLM_TIMEOUT_MS: must be a whole number of milliseconds between 1000 and 600000 (see .env.example)'],
    ['ASK_RATE_PER_MINUTE', '0', 'ASK_RATE_PER_MINUTE: must be a whole number of questions between 1 and 1000 (see .env.example)'],
    ['ASK_RATE_PER_MINUTE', '2.5', 'ASK_RATE_PER_MINUTE: must be a whole number of questions between 1 and 1000 (see .env.example)'],
    ['REINDEX_COOLDOWN_SECONDS', 'soon', 'REINDEX_COOLDOWN_SECONDS: must be a whole number of seconds between 0 and 86400 (see .env.example)'],
    ['REINDEX_COOLDOWN_SECONDS', '-5', 'REINDEX_COOLDOWN_SECONDS: must be a whole number of seconds between 0 and 86400 (see .env.example)'],
    ['THREAD_MEMORY_DAYS', '0', 'THREAD_MEMORY_DAYS: must be a whole number of days between 1 and 365 (see .env.example)'],
    ['ATTACHMENT_TIMEOUT_MS', '10', 'ATTACHMENT_TIMEOUT_MS: must be a whole number of milliseconds between 1000 and 600000 (see .env.example)'],
    ['ATTACHMENT_HOSTS', 'https://cdn.discordapp.com', 'ATTACHMENT_HOSTS: must be a comma-separated list of host names (host or host:port) (see .env.example)'],
  ])('%s=%s is refused with the range', (name, value, line) => {
    expect(load({ [name]: value })).toThrow(new ConfigError(line));
  });

  test('values inside the bounds are taken as given', () => {
    const config = loadConfig({ LLM_TIMEOUT_MS: '1000', ASK_RATE_PER_MINUTE: '1000', REINDEX_COOLDOWN_SECONDS: '0' }, '/nonexistent/.env');
    expect([config.llm.timeoutMs, config.discord.askRatePerMinute, config.discord.reindexCooldownSeconds]).toEqual([1000, 1000, 0]);
  });
});

test('attachments come from Discord\'s CDN unless configured otherwise; a list is read as written', () => {
  expect(loadConfig({}, '/nonexistent/.env').discord.attachmentHosts).toEqual(['cdn.discordapp.com', 'media.discordapp.net']);
  expect(loadConfig({ ATTACHMENT_HOSTS: ' 127.0.0.1:4000 , CDN.example.com' }, '/nonexistent/.env').discord.attachmentHosts).toEqual(['127.0.0.1:4000', 'cdn.example.com']);
});

describe('a file where a folder is expected', () => {
  test.each(['CORPUS_DIR', 'INDEX_DIR', 'DATA_DIR', 'CACHE_DIR'])('%s naming a file, or a path below one, is named in one line', async (name) => {
    const dir = await mkdtemp(join(tmpdir(), 'config-'));
    const file = join(dir, 'notes.txt');
    await writeFile(file, 'not a folder');
    expect(load({ [name]: file })).toThrow(new ConfigError(`${name}: ${file} is a file, not a folder (see .env.example)`));
    expect(load({ [name]: join(file, 'sub') })).toThrow(
      new ConfigError(`${name}: ${file} (in ${join(file, 'sub')}) is a file, not a folder (see .env.example)`),
    );
    // A folder that does not exist yet is created when first written.
    expect(load({ [name]: join(dir, 'later', 'deeper') })).not.toThrow();
  });
});
