/** Every client event the bot listens to, one module each (src/bot/client.ts attaches them). */
import type { BotEvent } from '../context.js';
import debug from './debug.js';
import error from './error.js';
import interactionCreate from './interaction-create.js';
import messageCreate from './message-create.js';
import ready from './ready.js';
import shardDisconnect from './shard-disconnect.js';
import shardError from './shard-error.js';
import shardReady from './shard-ready.js';
import shardReconnecting from './shard-reconnecting.js';
import shardResume from './shard-resume.js';
import threadDelete from './thread-delete.js';
import threadUpdate from './thread-update.js';
import warn from './warn.js';

export const events: readonly BotEvent[] = [
  ready,
  interactionCreate,
  messageCreate,
  threadUpdate,
  threadDelete,
  error,
  warn,
  debug,
  shardDisconnect,
  shardReconnecting,
  shardResume,
  shardReady,
  shardError,
];
