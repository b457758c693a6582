/**
 * The bot as deployed, minus Discord: the real answer engine over `corpus/` (index built into a temp dir), the real
 * discord.js client, and the loopback Discord stand-in. Log lines are kept for assertions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createBot, type Bot } from '../../src/bot/client.js';
import { loadConfig } from '../../src/config.js';
import { Engine } from '../../src/rag/engine.js';
import type { AnswerEngine } from '../../src/rag/types.js';
import { DiscordStandIn, type RecordedRequest } from './discord-standin.js';

export const TEST_TOKEN = 'MTIzNDU2Nzg5.GsecretPart.zzSignatureValue42';

export interface Harness {
  discord: DiscordStandIn;
  engine: AnswerEngine;
  bot: Bot;
  dataDir: string;
  logLines: string[];
  /** Stops the bot and starts a new one (a new process would do the same) on the same engine, DATA_DIR and Discord. */
  restartBot(): Promise<void>;
  stop(): Promise<void>;
}

export async function startHarness(env: Record<string, string> = {}, standIn: { heartbeatIntervalMs?: number } = {}): Promise<Harness> {
  const discord = await DiscordStandIn.start({ heartbeatIntervalMs: 1000, ...standIn });
  const workDir = await mkdtemp(join(tmpdir(), 'bot-harness-'));
  const dataDir = join(workDir, 'data');
  const config = loadConfig(
    {
      ...process.env,
      INDEX_DIR: join(workDir, 'index'),
      DATA_DIR: dataDir,
      DISCORD_TOKEN: TEST_TOKEN,
      DISCORD_API_URL: discord.apiUrl,
      ADMIN_ROLE_IDS: discord.adminRoleId,
      ASK_RATE_PER_MINUTE: '1000',
      REINDEX_COOLDOWN_SECONDS: '0',
      // The stand-in's CDN on loopback: configured here as a deployment configures Discord's.
      ATTACHMENT_HOSTS: discord.cdnHost,
      ...env,
    },
    join(workDir, 'no.env'),
  );
  const engine = await Engine.open(config, { autoIngest: true });
  const logLines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  let bot = await createBot({ config, engine, logger });
  await bot.start();
  return {
    discord,
    engine,
    get bot() {
      return bot;
    },
    dataDir: config.dataDir,
    logLines,
    async restartBot() {
      await bot.stop();
      bot = await createBot({ config, engine, logger });
      await bot.start();
    },
    async stop() {
      await bot.stop();
      await discord.close();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

export type InteractionRef = { id: string; token: string };

export const isCallback = (i: InteractionRef) => (r: RecordedRequest) =>
  r.method === 'POST' && r.path === `/interactions/${i.id}/${i.token}/callback`;

export const isEdit = (i: InteractionRef) => (r: RecordedRequest) =>
  r.method === 'PATCH' && r.path.endsWith(`/${i.token}/messages/@original`) && r.status === 200;
