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
  test('with DISCORD_GUILD_ID registers the slash commands and the message menu in that guild, the admin ones for Manage Server only', async () => {
    const { out, exited } = deploy({ DISCORD_APPLICATION_ID: discord.applicationId, DISCORD_GUILD_ID: discord.guildId });
    expect(await exited).toBe(0);
    expect(out.stdout).toMatch(
      /^Registered 10 commands in guild \d+ \(available now\): \/ask, \/summary, \/timeline, \/sources, \/reindex, \/add, \/scope, \/gaps, \/help, “Ask the corpus” \(message menu\)/,
    );
    const put = discord.requests.find((r) => r.method === 'PUT' && r.path === `/applications/${discord.applicationId}/guilds/${discord.guildId}/commands`);
    type Registered = { name: string; type?: number; options?: { name: string; type: number; autocomplete?: boolean; options?: { name: string }[] }[] };
    const byName = Object.fromEntries((put!.body as Registered[]).map((c) => [c.name, c]));
    expect(Object.keys(byName)).toEqual(['ask', 'summary', 'timeline', 'sources', 'reindex', 'add', 'scope', 'gaps', 'help', 'Ask the corpus']);
    for (const admin of ['reindex', 'add', 'scope', 'gaps']) expect(byName[admin]).toMatchObject({ default_member_permissions: '32', contexts: [0] });
    expect(byName.summary!.options!.find((o) => o.name === 'source')?.autocomplete).toBe(true);
    // Type 3: a message command, listed under Apps on every message; it takes no options.
    expect(byName['Ask the corpus']).toMatchObject({ type: 3 });
    expect(byName['Ask the corpus']!.options ?? []).toEqual([]);
    // Attachment options (type 11), the first one required.
    expect(byName.add!.options!.filter((o) => o.type === 11).map((o) => o.name)).toEqual(['file', 'file2', 'file3', 'file4', 'file5']);
    expect(byName.scope!.options!.map((o) => o.name)).toEqual(['set', 'show', 'clear']);
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
