/**
 * The discord.js client: login with the least intents needed, the bot's state opened from DATA_DIR, each event
 * module (events/) attached, and pick-up of an index rebuilt by another process.
 */
import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, Partials, type ClientEvents } from 'discord.js';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { GapLog } from '../gap-report.js';
import { ConfigError } from '../rag/errors.js';
import type { AnswerEngine } from '../rag/types.js';
import type { BotContext } from './context.js';
import { events } from './events/index.js';
import { FeedbackLog } from './feedback.js';
import { RateLimiter } from './rate-limit.js';
import { redactor } from './redact.js';
import { NO_PINGS } from './render.js';
import { ReindexGate } from './reindex-gate.js';
import { ChannelScopes } from './scopes.js';
import { SharedAnswers } from './sharing.js';
import { ThreadMemory } from './thread-memory.js';

export interface BotOptions {
  config: Config;
  engine: AnswerEngine;
  logger: Logger;
  /** How often to ask the engine whether `npm run ingest` built a newer index. */
  refreshIntervalMs?: number;
}

export interface Bot {
  client: Client;
  /** Logs in and resolves once the gateway is ready. */
  start(): Promise<void>;
  /** Disconnects; the engine stays open (its owner closes it). */
  stop(): Promise<void>;
  /** Switches to a newer index if one was built; true when it switched. */
  refreshIndex(): Promise<boolean>;
}

/**
 * Guilds for slash commands and thread updates; message intents only when the bot answers mentions, follow-ups or
 * DMs. Discord includes the content of messages that mention the bot, and of DMs, without the privileged Message
 * Content intent; a follow-up in a thread mentions no one, so answering follow-ups needs it. The message menu
 * command gets its message's text in the interaction itself, without any message intent.
 */
function intentsFor(discord: Config['discord']): GatewayIntentBits[] {
  const intents = [GatewayIntentBits.Guilds];
  if (discord.answerMentions || discord.threadFollowups) intents.push(GatewayIntentBits.GuildMessages);
  if (discord.threadFollowups) intents.push(GatewayIntentBits.MessageContent);
  if (discord.answerDms) intents.push(GatewayIntentBits.DirectMessages);
  return intents;
}

const DAY_MS = 86_400_000;

/** Opens the bot's state in DATA_DIR (thread conversations, channel scopes) and builds the client. */
export async function createBot({ config, engine, logger, refreshIntervalMs = 30_000 }: BotOptions): Promise<Bot> {
  const token = config.discord.token;
  if (!token) throw new ConfigError('DISCORD_TOKEN: is not set (see .env.example)');
  const ctx: BotContext = {
    config,
    engine,
    logger,
    redact: redactor(token),
    askLimiter: new RateLimiter(config.discord.askRatePerMinute, 60_000),
    reindex: new ReindexGate(config.discord.reindexCooldownSeconds * 1000),
    feedback: new FeedbackLog(config.dataDir),
    gaps: new GapLog(config.dataDir),
    memory: await ThreadMemory.open(config.dataDir, config.discord.threadMemoryDays * DAY_MS),
    scopes: await ChannelScopes.open(config.dataDir),
    shares: new SharedAnswers(),
  };

  const client = new Client({
    intents: intentsFor(config.discord),
    // DM channels are not cached in advance; without this partial, discord.js drops DM messages.
    partials: config.discord.answerDms ? [Partials.Channel] : [],
    allowedMentions: NO_PINGS,
    failIfNotExists: false,
    rest: config.discord.apiUrl ? { api: config.discord.apiUrl } : {},
  });
  for (const event of events) {
    const listener = (...args: ClientEvents[keyof ClientEvents]) => {
      // A listener's failure is logged, never left to crash the process as an unhandled rejection.
      void Promise.resolve()
        .then(() => event.execute(ctx, ...args))
        .catch((err: unknown) => logger.error({ err, event: event.name }, 'event handler failed'));
    };
    if (event.once) client.once(event.name, listener);
    else client.on(event.name, listener);
  }

  let refreshing: Promise<boolean> | null = null;
  function refreshIndex(): Promise<boolean> {
    refreshing ??= engine
      .refresh()
      .then((switched) => {
        if (switched) logger.info('picked up a newer index');
        return switched;
      })
      .catch((err: unknown) => {
        logger.warn({ err }, 'could not check for a newer index; still answering from the current one');
        return false;
      })
      .finally(() => (refreshing = null));
    return refreshing;
  }
  let refreshTimer: NodeJS.Timeout | undefined;

  return {
    client,
    refreshIndex,
    async start() {
      const abort = new AbortController();
      const ready = once(client, Events.ClientReady, { signal: abort.signal });
      try {
        await client.login(token);
        await ready;
      } finally {
        abort.abort();
      }
      refreshTimer = setInterval(() => void refreshIndex(), refreshIntervalMs);
      refreshTimer.unref();
    },
    async stop() {
      clearInterval(refreshTimer);
      // A deliberate disconnect is not gateway trouble: stop listening before the shard reports closing.
      client.removeAllListeners();
      await client.destroy();
      // The last turn of a conversation answered just before the stop is on disk before the process ends.
      await ctx.memory.settled();
    },
  };
}
