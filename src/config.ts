/**
 * The one place that reads the environment (and `.env`). Everything else receives a validated `Config`.
 *
 * chromadb is pinned to 3.0.12 with its Linux binding overridden to 1.0.5 in package.json: later bindings need
 * glibc 2.38+, and Debian 12 machines have 2.36, so the bundled Chroma server would not start.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import * as z from 'zod';
import { ConfigError } from './rag/errors.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
/**
 * A whole number within bounds the program can honour: timers past 2^31 ms fire at once in Node, and a timeout of a
 * few milliseconds can never be met, so both are refused with the range rather than failing later.
 */
function wholeNumber(min: number, max: number, unit: string) {
  const range = `must be a whole number of ${unit} between ${min} and ${max}`;
  return z.coerce
    .number({ error: range })
    .refine((n) => Number.isInteger(n) && n >= min && n <= max, { message: range });
}
const url = z.url({ error: 'must be a URL such as http://127.0.0.1:8000' });
/** host or host:port, as a URL's `host` reads: "cdn.discordapp.com", "127.0.0.1:3000". */
const hostList = z
  .string()
  .regex(/^\s*[\w.-]+(:\d+)?\s*(,\s*[\w.-]+(:\d+)?\s*)*$/, 'must be a comma-separated list of host names (host or host:port)')
  .transform((v) => v.split(',').map((s) => s.trim().toLowerCase()));
const idList = z
  .string()
  .regex(/^\s*(\d+\s*(,\s*\d+\s*)*)?$/, 'must be a comma-separated list of Discord ids')
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

const schema = z.object({
  CORPUS_DIR: z.string().min(1).default('corpus'),
  INDEX_DIR: z.string().min(1).default('data/index'),
  DATA_DIR: z.string().min(1).default('data'),
  CACHE_DIR: z.string().min(1).default('data/cache'),
  ARCHIVE_DIR: z.string().min(1).default('data/bbc-archive'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  EMBEDDINGS_PROVIDER: z.enum(['sif', 'openai', 'ollama']).default('sif'),
  EMBEDDINGS_MODEL: z.string().optional(),

  LLM_PROVIDER: z.enum(['none', 'openai', 'ollama']).default('none'),
  LLM_MODEL: z.string().optional(),
  LLM_TIMEOUT_MS: wholeNumber(1_000, 600_000, 'milliseconds').default(20_000),
  OPENAI_BASE_URL: url.optional(),
  OPENAI_API_KEY: z.string().optional(),
  OLLAMA_BASE_URL: url.default('http://127.0.0.1:11434'),

  VECTOR_STORE: z.enum(['hnsw', 'chroma']).default('hnsw'),
  CHROMA_URL: url.default('http://127.0.0.1:8000'),
  CHROMA_COLLECTION: z.string().min(1).default('corpus'),

  DISCORD_TOKEN: z.string().optional(),
  DISCORD_APPLICATION_ID: z.string().regex(/^\d+$/, 'must be the numeric application id').optional(),
  DISCORD_GUILD_ID: z.string().regex(/^\d+$/, 'must be a numeric guild id').optional(),
  DISCORD_API_URL: url.optional(),
  ADMIN_ROLE_IDS: idList.default([]),
  ANSWER_MENTIONS: bool.default(true),
  ANSWER_DMS: bool.default(false),
  ANSWER_THREAD_FOLLOWUPS: bool.default(true),
  ASK_RATE_PER_MINUTE: wholeNumber(1, 1_000, 'questions').default(6),
  REINDEX_COOLDOWN_SECONDS: wholeNumber(0, 86_400, 'seconds').default(60),
  THREAD_MEMORY_DAYS: wholeNumber(1, 365, 'days').default(7),
  ATTACHMENT_HOSTS: hostList.default(['cdn.discordapp.com', 'media.discordapp.net']),
  ATTACHMENT_TIMEOUT_MS: wholeNumber(1_000, 600_000, 'milliseconds').default(30_000),
});

type Raw = z.infer<typeof schema>;

export interface Config {
  corpusDir: string;
  indexDir: string;
  dataDir: string;
  cacheDir: string;
  /**
   * The news archive `npm run eval -- --set archive` and `npm run bench` measure on: third-party text, fetched by
   * each developer (eval/archive/README.md), never committed; data/ is git-ignored.
   */
  archiveDir: string;
  logLevel: Raw['LOG_LEVEL'];
  embeddings: { provider: Raw['EMBEDDINGS_PROVIDER']; model?: string };
  llm: {
    provider: Raw['LLM_PROVIDER'];
    model?: string;
    timeoutMs: number;
    openaiBaseUrl?: string;
    openaiApiKey?: string;
    ollamaBaseUrl: string;
  };
  store: { kind: Raw['VECTOR_STORE']; chromaUrl: string; chromaCollection: string };
  discord: {
    token?: string;
    applicationId?: string;
    guildId?: string;
    apiUrl?: string;
    adminRoleIds: string[];
    answerMentions: boolean;
    answerDms: boolean;
    /** Public answers open a thread whose messages are answered as follow-ups (needs the Message Content intent). */
    threadFollowups: boolean;
    askRatePerMinute: number;
    reindexCooldownSeconds: number;
    /** A thread's conversation unused for this long is forgotten. */
    threadMemoryDays: number;
    /** The only hosts `/add` fetches attachments from (Discord's attachment CDN). */
    attachmentHosts: string[];
    attachmentTimeoutMs: number;
  };
}

/**
 * A folder setting that names a file (or lies below one) would fail later with a raw EEXIST or ENOTDIR; said here,
 * naming the variable. A path that does not exist yet is fine: it is created when first written.
 */
function assertFolderPath(name: string, path: string): void {
  for (let at = resolve(path); ; at = dirname(at)) {
    // Missing, or below a file (ENOTDIR): look at the folder above.
    const info = (() => {
      try {
        return statSync(at);
      } catch {
        return null;
      }
    })();
    if (info) {
      if (info.isDirectory()) return;
      const where = at === resolve(path) ? `${path} is a file` : `${at} (in ${path}) is a file`;
      throw new ConfigError(`${name}: ${where}, not a folder (see .env.example)`);
    }
    if (dirname(at) === at) return;
  }
}

/** Settings read from `.env` in the working directory, overridden by the real environment. */
function environment(env: NodeJS.ProcessEnv, dotenvPath: string): Record<string, string | undefined> {
  const fromFile = existsSync(dotenvPath) ? parseDotenv(readFileSync(dotenvPath)) : {};
  const merged: Record<string, string | undefined> = { ...fromFile, ...env };
  // An empty value means "not set", as in most .env conventions.
  for (const [k, v] of Object.entries(merged)) if (v === '') delete merged[k];
  return merged;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, dotenvPath = '.env'): Config {
  const parsed = schema.safeParse(environment(env, dotenvPath));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'configuration');
    throw new ConfigError(`${name}: ${issue.message} (see .env.example)`);
  }
  const r = parsed.data;
  for (const name of ['CORPUS_DIR', 'INDEX_DIR', 'DATA_DIR', 'CACHE_DIR'] as const) assertFolderPath(name, r[name]);
  if (r.LLM_PROVIDER !== 'none' && !r.LLM_MODEL) {
    throw new ConfigError(`LLM_MODEL: must be set when LLM_PROVIDER=${r.LLM_PROVIDER} (see .env.example)`);
  }
  if (r.LLM_PROVIDER === 'openai' && !r.OPENAI_BASE_URL && !r.OPENAI_API_KEY) {
    throw new ConfigError('OPENAI_API_KEY: must be set when LLM_PROVIDER=openai uses the hosted API (see .env.example)');
  }
  return {
    corpusDir: r.CORPUS_DIR,
    indexDir: r.INDEX_DIR,
    dataDir: r.DATA_DIR,
    cacheDir: r.CACHE_DIR,
    archiveDir: r.ARCHIVE_DIR,
    logLevel: r.LOG_LEVEL,
    embeddings: { provider: r.EMBEDDINGS_PROVIDER, model: r.EMBEDDINGS_MODEL },
    llm: {
      provider: r.LLM_PROVIDER,
      model: r.LLM_MODEL,
      timeoutMs: r.LLM_TIMEOUT_MS,
      openaiBaseUrl: r.OPENAI_BASE_URL,
      openaiApiKey: r.OPENAI_API_KEY,
      ollamaBaseUrl: r.OLLAMA_BASE_URL,
    },
    store: { kind: r.VECTOR_STORE, chromaUrl: r.CHROMA_URL, chromaCollection: r.CHROMA_COLLECTION },
    discord: {
      token: r.DISCORD_TOKEN,
      applicationId: r.DISCORD_APPLICATION_ID,
      guildId: r.DISCORD_GUILD_ID,
      apiUrl: r.DISCORD_API_URL,
      adminRoleIds: r.ADMIN_ROLE_IDS,
      answerMentions: r.ANSWER_MENTIONS,
      answerDms: r.ANSWER_DMS,
      threadFollowups: r.ANSWER_THREAD_FOLLOWUPS,
      askRatePerMinute: r.ASK_RATE_PER_MINUTE,
      reindexCooldownSeconds: r.REINDEX_COOLDOWN_SECONDS,
      threadMemoryDays: r.THREAD_MEMORY_DAYS,
      attachmentHosts: r.ATTACHMENT_HOSTS,
      attachmentTimeoutMs: r.ATTACHMENT_TIMEOUT_MS,
    },
  };
}
