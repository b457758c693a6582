/** `npm start`: opens the answer engine and runs the Discord bot until SIGINT/SIGTERM. SIGHUP re-reads the index. */
import { pino } from 'pino';
import { loadConfig, type Config } from '../config.js';
import { UserFacingError } from '../rag/errors.js';
import { Engine } from '../rag/engine.js';
import type { AnswerEngine } from '../rag/types.js';
import { createBot, type Bot } from './client.js';
import { redactor } from './redact.js';

let config: Config | undefined;

/** Prints one line (never a stack, never the token) and exits 1. */
function fail(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  const line = error instanceof UserFacingError ? message : `The bot could not start: ${message}`;
  console.error(redactor(config?.discord.token)(line));
  process.exit(1);
}

try {
  config = loadConfig();
} catch (error) {
  fail(error);
}
if (!config.discord.token) {
  fail(new UserFacingError('DISCORD_TOKEN is not set: copy .env.example to .env and put your bot token there (see README, "Run it on your server").'));
}

const logger = pino({ level: config.logLevel, base: { app: 'corpus-bot' } });
let engine: AnswerEngine | undefined;
let bot: Bot | undefined;
let stopping = false;

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  // A /reindex under way stops before its build goes live and removes it, rather than being cut off mid-write.
  await engine?.stop();
  await bot?.stop();
  logger.info('stopped');
  logger.flush();
  process.exit(0);
}
// `on`, not `once` (shutdown runs once anyway): signal-exit, which proper-lockfile loads with the first ingest, kills
// the process with the signal when it finds itself the signal's only listener, which a `once` listener stops being
// as it runs.
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGHUP', () => {
  logger.info('SIGHUP: checking for a newer index');
  void bot?.refreshIndex();
});

try {
  const started = performance.now();
  engine = await Engine.open(config, { autoIngest: true, onNotice: (message) => logger.info(message) });
  logger.info({ ms: Math.round(performance.now() - started) }, 'answer engine ready');
  bot = await createBot({ config, engine, logger });
  await bot.start();
} catch (error) {
  logger.flush();
  fail(error);
}
