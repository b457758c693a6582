/**
 * The one place that reads the environment (and `.env`). Everything else receives a validated `Config`.
 *
 * chromadb is pinned to 3.0.12 with its Linux binding overridden to 1.0.5 in package.json: later bindings need
 * glibc 2.38+, and Debian 12 machines have 2.36, so the bundled Chroma server would not start.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { ConfigError } from './rag/errors.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const positiveInt = z.coerce.number({ message: 'must be a number' }).int('must be a whole number').positive('must be positive');
const url = z.string().url('must be a URL such as http://127.0.0.1:8000');
const idList = z
  .string()
  .regex(/^\s*(\d+\s*(,\s*\d+\s*)*)?$/, 'must be a comma-separated list of Discord ids')
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

const schema = z.object({
  CORPUS_DIR: z.string().min(1).default('corpus'),
  INDEX_DIR: z.string().min(1).default('data/index'),
  DATA_DIR: z.string().min(1).default('data'),
  CACHE_DIR: z.string().min(1).default('data/cache'),
  ARCHIVE_DIR: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  EMBEDDINGS_PROVIDER: z.enum(['sif', 'openai', 'ollama']).default('sif'),
  EMBEDDINGS_MODEL: z.string().optional(),

  LLM_PROVIDER: z.enum(['none', 'openai', 'ollama']).default('none'),
  LLM_MODEL: z.string().optional(),
  LLM_TIMEOUT_MS: positiveInt.default(20_000),
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
  ADMIN_ROLE_IDS: idList.default(''),
  ANSWER_MENTIONS: bool.default('true'),
  ANSWER_DMS: bool.default('false'),
  ASK_RATE_PER_MINUTE: positiveInt.default(6),
  REINDEX_COOLDOWN_SECONDS: z.coerce.number().int().nonnegative().default(60),
});

type Raw = z.infer<typeof schema>;

export interface Config {
  corpusDir: string;
  indexDir: string;
  dataDir: string;
  cacheDir: string;
  /** The news archive `npm run eval -- --set archive` measures on (third-party text, kept outside the repository). */
  archiveDir?: string;
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
    askRatePerMinute: number;
    reindexCooldownSeconds: number;
  };
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
      askRatePerMinute: r.ASK_RATE_PER_MINUTE,
      reindexCooldownSeconds: r.REINDEX_COOLDOWN_SECONDS,
    },
  };
}
