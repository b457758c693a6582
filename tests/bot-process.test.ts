/**
 * `npm start` as an operator runs it: the real entry point in a child process, configured only through the
 * environment, against the loopback Discord. Runs in an empty working directory so a developer's own .env is not read.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DiscordStandIn } from './support/discord-standin.js';

const root = resolve(import.meta.dirname, '..');
const TOKEN = 'MTk4NjIyNDgzNDcx.GprocessSecret.sigSIGsig1234';

function startBot(env: Record<string, string>, cwd: string) {
  const child = spawn(
    process.execPath,
    ['--import', pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href, join(root, 'src/bot/main.ts')],
    { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, out, exited };
}

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
      expect(edit.body.embeds[0].fields[0].value).toContain('004_51570dea19fac233.txt');

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
});
