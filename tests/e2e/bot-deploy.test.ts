/** `npm run deploy-commands` against the loopback Discord: what gets registered, and where. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DiscordStandIn } from '../support/discord-standin.js';
import { spawnTs } from '../support/spawn-ts.js';

let discord: DiscordStandIn;
let workDir: string;

beforeAll(async () => {
  discord = await DiscordStandIn.start();
  workDir = await mkdtemp(join(tmpdir(), 'bot-deploy-'));
});
afterAll(async () => {
  await discord.close();
  await rm(workDir, { recursive: true, force: true });
});

function deploy(env: Record<string, string>) {
  return spawnTs('scripts/deploy-commands.ts', { DISCORD_TOKEN: 'MTk4.deploySecret.sig', DISCORD_API_URL: discord.apiUrl, ...env }, workDir);
}

describe('npm run deploy-commands', { timeout: 20_000 }, () => {
  test('with DISCORD_GUILD_ID registers the seven commands in that guild, /reindex and /gaps for Manage Server only', async () => {
    const { out, exited } = deploy({ DISCORD_APPLICATION_ID: discord.applicationId, DISCORD_GUILD_ID: discord.guildId });
    expect(await exited).toBe(0);
    expect(out.stdout).toMatch(/^Registered 7 commands in guild \d+ \(available now\): \/ask, \/summary, \/timeline, \/sources, \/reindex, \/gaps, \/help/);
    const put = discord.requests.find((r) => r.method === 'PUT' && r.path === `/applications/${discord.applicationId}/guilds/${discord.guildId}/commands`);
    type Registered = { name: string; options?: { name: string; autocomplete?: boolean }[] };
    const byName = Object.fromEntries((put!.body as Registered[]).map((c) => [c.name, c]));
    expect(Object.keys(byName)).toEqual(['ask', 'summary', 'timeline', 'sources', 'reindex', 'gaps', 'help']);
    expect(byName.reindex).toMatchObject({ default_member_permissions: '32', contexts: [0] });
    expect(byName.gaps).toMatchObject({ default_member_permissions: '32', contexts: [0] });
    expect(byName.summary!.options!.find((o) => o.name === 'source')?.autocomplete).toBe(true);
  });

  test('without DISCORD_GUILD_ID registers globally', async () => {
    const { out, exited } = deploy({ DISCORD_APPLICATION_ID: discord.applicationId });
    expect(await exited).toBe(0);
    expect(out.stdout).toMatch(/globally/);
    expect(discord.requests.some((r) => r.method === 'PUT' && r.path === `/applications/${discord.applicationId}/commands`)).toBe(true);
  });

  test('without DISCORD_APPLICATION_ID exits 2 with one line naming it', async () => {
    const { out, exited } = deploy({});
    expect(await exited).toBe(2);
    expect(out.stderr.trim()).toBe('error: DISCORD_APPLICATION_ID: is not set (see .env.example)');
  });
});
