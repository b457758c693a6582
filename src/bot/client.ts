/**
 * The discord.js client: login with the least intents needed, routing of interactions and mentions to handlers,
 * one log line per command with its latency, failures turned into a reply with a reference, and pick-up of an index
 * rebuilt by another process.
 */
import { once } from 'node:events';
import {
  Client,
  Events,
  GatewayIntentBits,
  MessageFlags,
  Partials,
  type ButtonInteraction,
  type Interaction,
  type Message,
  type RepliableInteraction,
} from 'discord.js';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { ConfigError } from '../rag/errors.js';
import type { AnswerEngine } from '../rag/types.js';
import { GapLog } from '../gap-report.js';
import { commands } from './commands/index.js';
import { ThreadConversations } from './conversations.js';
import type { BotContext, LogFields } from './context.js';
import { failureLine } from './failure.js';
import { FeedbackLog, parseFeedbackId } from './feedback.js';
import { answerMention, isAddressedToBot } from './mention.js';
import { NO_PINGS, renderLine } from './render.js';
import { RateLimiter } from './rate-limit.js';
import { redactor } from './redact.js';
import { ReindexGate } from './reindex-gate.js';

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
 * Content intent; a follow-up in a thread mentions no one, so answering follow-ups needs it.
 */
function intentsFor(discord: Config['discord']): GatewayIntentBits[] {
  const intents = [GatewayIntentBits.Guilds];
  if (discord.answerMentions || discord.threadFollowups) intents.push(GatewayIntentBits.GuildMessages);
  if (discord.threadFollowups) intents.push(GatewayIntentBits.MessageContent);
  if (discord.answerDms) intents.push(GatewayIntentBits.DirectMessages);
  return intents;
}

const elapsedMs = (since: number) => Math.round(performance.now() - since);

export function createBot({ config, engine, logger, refreshIntervalMs = 30_000 }: BotOptions): Bot {
  const token = config.discord.token;
  if (!token) throw new ConfigError('DISCORD_TOKEN: is not set (see .env.example)');
  const redact = redactor(token);
  const ctx: BotContext = {
    config,
    engine,
    logger,
    askLimiter: new RateLimiter(config.discord.askRatePerMinute, 60_000),
    reindex: new ReindexGate(config.discord.reindexCooldownSeconds * 1000),
    feedback: new FeedbackLog(config.dataDir),
    gaps: new GapLog(config.dataDir),
    conversations: new ThreadConversations(),
  };
  const byName = new Map(commands.map((c) => [c.data.name, c]));

  const client = new Client({
    intents: intentsFor(config.discord),
    // DM channels are not cached in advance; without this partial, discord.js drops DM messages.
    partials: config.discord.answerDms ? [Partials.Channel] : [],
    allowedMentions: NO_PINGS,
    failIfNotExists: false,
    rest: config.discord.apiUrl ? { api: config.discord.apiUrl } : {},
  });

  async function tellFailure(interaction: RepliableInteraction, line: string): Promise<void> {
    try {
      if (interaction.deferred || interaction.replied) await interaction.editReply(renderLine(line));
      else await interaction.reply({ ...renderLine(line), flags: MessageFlags.Ephemeral });
    } catch (err) {
      logger.warn({ err, interaction: interaction.id }, 'could not tell the user about a failure');
    }
  }

  async function onButton(interaction: ButtonInteraction): Promise<LogFields | void> {
    const feedback = parseFeedbackId(interaction.customId);
    if (feedback) {
      const time = new Date().toISOString();
      // The answer embed's title is the question as asked: it survives restarts, unlike any in-memory record.
      const question = interaction.message.embeds[0]?.title ?? '';
      await ctx.feedback.append({ time, answerId: feedback.answerId, question, userId: interaction.user.id, vote: feedback.vote });
      if (feedback.vote === 'down' && question) {
        await ctx.gaps
          .append({ time, kind: 'thumbs_down', question, answerId: feedback.answerId, channelId: interaction.channelId })
          .catch((err: unknown) => logger.warn({ err, answerId: feedback.answerId }, 'could not write to the gap log'));
      }
      await interaction.reply({ ...renderLine(`Thanks — your ${feedback.vote === 'up' ? '👍' : '👎'} is noted.`), flags: MessageFlags.Ephemeral });
      return feedback;
    }
    const handler = byName.get(interaction.customId.split(':')[0]!)?.button;
    if (!handler) throw new Error(`no handler for button ${interaction.customId}`);
    return handler(interaction, ctx);
  }

  async function onInteraction(interaction: Interaction): Promise<void> {
    const started = performance.now();
    const base = { user: interaction.user.id, guild: interaction.guildId, interaction: interaction.id };
    if (interaction.isAutocomplete()) {
      try {
        await byName.get(interaction.commandName)?.autocomplete?.(interaction, ctx);
      } catch (err) {
        logger.warn({ ...base, err, command: interaction.commandName }, 'autocomplete failed');
      }
      return;
    }
    if (!interaction.isChatInputCommand() && !interaction.isButton()) return;
    const command = interaction.isChatInputCommand() ? `/${interaction.commandName}` : `button ${interaction.customId.split(':')[0]}`;
    try {
      let fields: LogFields | void;
      if (interaction.isChatInputCommand()) {
        const handler = byName.get(interaction.commandName);
        if (!handler) throw new Error(`unknown command ${interaction.commandName}: run npm run deploy-commands`);
        fields = await handler.execute(interaction, ctx);
      } else {
        fields = await onButton(interaction);
      }
      logger.info({ ...base, command, ms: elapsedMs(started), outcome: 'ok', ...fields }, 'command handled');
    } catch (error) {
      await tellFailure(interaction, failureLine(error, logger, { ...base, command, ms: elapsedMs(started) }));
    }
  }

  async function onMessage(message: Message): Promise<void> {
    const botId = client.user?.id;
    if (!botId || !isAddressedToBot(message, botId, ctx)) return;
    const started = performance.now();
    const base = { user: message.author.id, guild: message.guildId, channel: message.channelId, command: 'mention' };
    try {
      const fields = await answerMention(message, botId, ctx);
      logger.info({ ...base, ms: elapsedMs(started), outcome: 'ok', ...fields }, 'command handled');
    } catch (error) {
      const line = failureLine(error, logger, { ...base, ms: elapsedMs(started) });
      await message.reply(renderLine(line)).catch((err: unknown) => logger.warn({ err, ...base }, 'could not tell the user about a failure'));
    }
  }

  client.on(Events.InteractionCreate, (i) => void onInteraction(i));
  client.on(Events.MessageCreate, (m) => void onMessage(m));
  // A thread's conversation ends with the thread: archived (by hand or after inactivity) or deleted.
  client.on(Events.ThreadUpdate, (_old, thread) => {
    if (thread.archived) ctx.conversations.forget(thread.id);
  });
  client.on(Events.ThreadDelete, (thread) => ctx.conversations.forget(thread.id));
  client.on(Events.Error, (err) => logger.error({ err }, 'discord client error'));
  client.on(Events.Warn, (message) => logger.warn(redact(message)));
  client.on(Events.Debug, (message) => logger.debug(redact(message)));
  client.on(Events.ShardDisconnect, (event, shard) => logger.warn({ shard, code: event.code }, 'gateway disconnected'));
  client.on(Events.ShardReconnecting, (shard) => logger.info({ shard }, 'gateway reconnecting'));
  client.on(Events.ShardResume, (shard, replayed) => logger.info({ shard, replayed }, 'gateway resumed'));
  client.on(Events.ShardReady, (shard) => logger.info({ shard }, 'gateway ready'));
  client.on(Events.ShardError, (err, shard) => logger.warn({ shard, err }, 'gateway error'));

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
      logger.info({ user: client.user?.id, guilds: client.guilds.cache.size }, 'bot ready');
    },
    async stop() {
      clearInterval(refreshTimer);
      // A deliberate disconnect is not gateway trouble: stop listening before the shard reports closing.
      client.removeAllListeners();
      await client.destroy();
    },
  };
}
