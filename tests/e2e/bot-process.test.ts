/**
 * `npm start` as an operator runs it: the real entry point in a child process, configured only through the
 * environment, against the loopback Discord. Runs in an empty working directory so a developer's own .env is not read.
 */
import { mkdtemp, readdir, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DiscordStandIn } from '../support/discord-standin.js';
import { addBulletins, CACHE_DIR, copyRealCorpus } from '../support/hardening-fixtures.js';
import { projectRoot as root, spawnTs } from '../support/spawn-ts.js';

const TOKEN = 'MTk4NjIyNDgzNDcx.GprocessSecret.sigSIGsig1234';
/** With the word-vector cache the global setup built: converting it afresh in the child can outlast the test. */
const startBot = (env: Record<string, string>, cwd: string) => spawnTs('src/bot/main.ts', { CACHE_DIR: join(root, 'data/cache'), ...env }, cwd);

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'bot-process-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('npm start', { timeout: 40_000 }, () => {
  test('without DISCORD_TOKEN exits 1 with one line naming it and pointing to .env.example', async () => {
    const { out, exited } = startBot({}, workDir);
    expect(await exited).toBe(1);
    const lines = out.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/DISCORD_TOKEN/);
    expect(lines[0]).toMatch(/\.env\.example/);
  });

  test('runs the bot: answers /ask, reloads on SIGHUP, stops cleanly on SIGTERM, never logs the token', async () => {
    const discord = await DiscordStandIn.start();
    try {
      const { child, out, exited } = startBot(
        {
          DISCORD_TOKEN: TOKEN,
          DISCORD_API_URL: discord.apiUrl,
          // The cache the test set-up built: converting the word vectors again would take most of the wait.
          CACHE_DIR,
          CORPUS_DIR: join(root, 'corpus'),
          INDEX_DIR: join(workDir, 'index'),
          DATA_DIR: join(workDir, 'data'),
          LOG_LEVEL: 'debug',
        },
        workDir,
      );
      await discord.waitForSession(1, 30_000);
      const ask = discord.slashCommand('ask', { question: 'What did Lavrov discuss in Mali?' });
      const edit = await discord.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(ask.token), 15_000);
      expect(edit.body.embeds[0].description).toContain('004_51570dea19fac233.txt');

      child.kill('SIGHUP');
      await expect.poll(() => out.stdout, { timeout: 5_000 }).toContain('checking for a newer index');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);

      const entries = out.stdout.trim().split('\n').map((line) => JSON.parse(line) as { msg: string; command?: string; ms?: number });
      expect(entries.find((e) => e.command === '/ask')?.ms).toBeTypeOf('number');
      expect(entries.map((e) => e.msg).slice(-2)).toEqual(['shutting down', 'stopped']);
      for (const part of TOKEN.split('.')) expect(out.stdout + out.stderr).not.toContain(part);
    } finally {
      await discord.close();
    }
  });

  test('SIGTERM during /reindex stops the re-index before it goes live, removes its build, then exits 0', { timeout: 90_000 }, async () => {
    const discord = await DiscordStandIn.start();
    const corpus = join(workDir, 'reindex-corpus');
    const indexDir = join(workDir, 'reindex-index');
    try {
      await copyRealCorpus(corpus);
      const { child, out, exited } = startBot(
        { DISCORD_TOKEN: TOKEN, DISCORD_API_URL: discord.apiUrl, CACHE_DIR, CORPUS_DIR: corpus, INDEX_DIR: indexDir, DATA_DIR: join(workDir, 'data') },
        workDir,
      );
      await discord.waitForSession(1, 30_000);
      const live = await readlink(join(indexDir, 'current'));
      // Enough documents that the re-index is still embedding when SIGTERM arrives, however loaded the machine.
      await addBulletins(corpus, 2000);
      const reindex = discord.slashCommand('reindex', {}, discord.admin);
      // The first progress edit comes a few seconds in, while documents are being embedded.
      await discord.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(reindex.token) && /^Re-indexing…/.test(r.body.content ?? ''), 30_000);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(await readlink(join(indexDir, 'current'))).toBe(live);
      expect(await readdir(join(indexDir, 'builds'))).toEqual([live.split('/').pop()]);
      expect(await stat(join(indexDir, 'ingest.lock')).catch(() => null)).toBeNull();
      const entries = out.stdout.trim().split('\n').map((line) => JSON.parse(line) as { msg: string; command?: string; reason?: string });
      expect(entries.map((e) => e.msg).at(-1)).toBe('stopped');
      expect(entries.find((e) => e.command === '/reindex')?.reason).toBe('ingest stopped by the bot shutting down; the index in use was not changed');
    } finally {
      await discord.close();
    }
  });
});
