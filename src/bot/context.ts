/** What every handler receives: the engine and the bot's shared state, passed in rather than imported. */
import type {
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  ClientEvents,
  MessageContextMenuCommandInteraction,
  ModalSubmitInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
  RESTPostAPIContextMenuApplicationCommandsJSONBody,
} from 'discord.js';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { GapLog } from '../gap-report.js';
import type { AnswerEngine } from '../rag/types.js';
import type { FeedbackLog } from './feedback.js';
import type { RateLimiter } from './rate-limit.js';
import type { ReindexGate } from './reindex-gate.js';
import type { ChannelScopes } from './scopes.js';
import type { SharedAnswers } from './sharing.js';
import type { ThreadMemory } from './thread-memory.js';

export interface BotContext {
  config: Config;
  engine: AnswerEngine;
  logger: Logger;
  /** Keeps the token out of anything logged. */
  redact: (text: string) => string;
  /** Shared by `/ask`, mentions and the message menu: one budget per user. */
  askLimiter: RateLimiter;
  /** One `/reindex` or `/add` at a time. */
  reindex: ReindexGate;
  feedback: FeedbackLog;
  /** Not-found questions and 👎 answers, for the gap report. */
  gaps: GapLog;
  /** Thread conversations, per person, kept in DATA_DIR across restarts. */
  memory: ThreadMemory;
  /** Which corpus subfolders each channel or category sees, kept in DATA_DIR. */
  scopes: ChannelScopes;
  /** Private answers that can still be shared, and those already shared. */
  shares: SharedAnswers;
}

/** Extra fields for the one log line each handled command gets (answer id, status, outcome…). */
export type LogFields = Record<string, unknown>;

/**
 * A slash command module: its definition and its handlers. Buttons and modals whose custom id starts with
 * `<name>:` go to `button` and `modal`.
 */
export interface SlashCommand {
  data: { name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<LogFields | void>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void>;
  button?(interaction: ButtonInteraction, ctx: BotContext): Promise<LogFields | void>;
}

/** A message context-menu command module ("Apps → Ask the corpus" on a message). */
export interface MessageCommand {
  data: { name: string; toJSON(): RESTPostAPIContextMenuApplicationCommandsJSONBody };
  execute(interaction: MessageContextMenuCommandInteraction, ctx: BotContext): Promise<LogFields | void>;
}

/** Buttons and modals that belong to no command (feedback, share): routed by the `<prefix>:` of their custom id. */
export interface ComponentHandler {
  prefix: string;
  button?(interaction: ButtonInteraction, ctx: BotContext): Promise<LogFields | void>;
  modal?(interaction: ModalSubmitInteraction, ctx: BotContext): Promise<LogFields | void>;
}

/** A client event module, as the discord.js guide lays them out: the event's name and what to do on it. */
export interface BotEvent {
  name: keyof ClientEvents;
  once: boolean;
  execute(ctx: BotContext, ...args: ClientEvents[keyof ClientEvents]): unknown;
}

/** Declares an event module with its listener's arguments typed by discord.js. */
export function defineEvent<K extends keyof ClientEvents>(
  name: K,
  execute: (ctx: BotContext, ...args: ClientEvents[K]) => unknown,
  options: { once?: boolean } = {},
): BotEvent {
  return { name, once: options.once ?? false, execute: execute as BotEvent['execute'] };
}
