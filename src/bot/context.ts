/** What every handler receives: the engine and the bot's shared state, passed in rather than imported. */
import type {
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { GapLog } from '../gap-report.js';
import type { AnswerEngine } from '../rag/types.js';
import type { ThreadConversations } from './conversations.js';
import type { FeedbackLog } from './feedback.js';
import type { RateLimiter } from './rate-limit.js';
import type { ReindexGate } from './reindex-gate.js';

export interface BotContext {
  config: Config;
  engine: AnswerEngine;
  logger: Logger;
  /** Shared by `/ask` and mentions: one budget per user. */
  askLimiter: RateLimiter;
  reindex: ReindexGate;
  feedback: FeedbackLog;
  /** Not-found questions and 👎 answers, for the gap report. */
  gaps: GapLog;
  conversations: ThreadConversations;
}

/** Extra fields for the one log line each handled command gets (answer id, status, outcome…). */
export type LogFields = Record<string, unknown>;

/** A slash command module: its definition and its handlers. Buttons whose custom id starts with `<name>:` go to `button`. */
export interface SlashCommand {
  data: { name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<LogFields | void>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void>;
  button?(interaction: ButtonInteraction, ctx: BotContext): Promise<LogFields | void>;
}
