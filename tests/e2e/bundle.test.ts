/**
 * The commands as `npm run …` starts them after `npm ci`: from the esbuild bundles (scripts/build.mjs), not through
 * tsx. They are built afresh into a folder of the checkout's git-ignored data/, where the packages left outside the
 * bundles resolve from node_modules as they do from dist/. Then, from the bundles: an ingest of pages of every format
 * (the HTML and markdown readers are chunks loaded on first use; the ingest runs on its worker thread), the same
 * answers as from the TypeScript sources, the language-model path (whose provider package LangChain imports by name
 * at run time, outside the bundle), and the bot answering /ask on the loopback Discord.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Answer, IngestReport } from '../../src/rag/types.js';
import { DiscordStandIn } from '../support/discord-standin.js';
import { startLlmServer } from '../support/llm-server.js';
import { projectRoot as root, spawnNode, spawnTs, type Spawned } from '../support/spawn-ts.js';

const run = promisify(execFile);
const QUESTIONS = ['What did Lavrov discuss in Mali?', 'When was the Union State Treaty signed?', 'What did Lavrov discuss in Japan?'];

let bundle: string;
let workDir: string;
let built: { stdout: string; stderr: string };
/** Settings every command below runs with: the seed corpus, an index of its own, the tests' word-vector cache. */
let env: Record<string, string>;

beforeAll(async () => {
  await mkdir(join(root, 'data'), { recursive: true });
  bundle = await mkdtemp(join(root, 'data', 'bundle-test-'));
  workDir = await mkdtemp(join(tmpdir(), 'bundle-'));
  built = await run(process.execPath, [join(root, 'scripts/build.mjs'), bundle], { cwd: root });
  env = { CORPUS_DIR: join(root, 'corpus'), INDEX_DIR: join(workDir, 'index'), DATA_DIR: join(workDir, 'data'), CACHE_DIR: resolve(root, loadConfig().cacheDir) };
}, 120_000);
afterAll(async () => {
  await rm(bundle, { recursive: true, force: true });
  await rm(workDir, { recursive: true, force: true });
});

/** Runs a bundled command to its end. */
async function finished(spawned: Spawned) {
  const code = await spawned.exited;
  return { code, ...spawned.out };
}
const bundled = (entry: string, args: string[], extra: Record<string, string> = {}) => finished(spawnNode([join(bundle, entry), ...args], { ...env, ...extra }, workDir));
const withoutTimings = ({ timings: _, ...answer }: Answer) => answer;

describe('the bundles npm ci builds', { timeout: 120_000 }, () => {
  test('are built without a warning, one per command, the bot and the ingest worker', () => {
    expect(built.stdout + built.stderr).toBe('');
    for (const entry of ['scripts/ask.js', 'scripts/ingest.js', 'scripts/summary.js', 'scripts/bench.js', 'src/bot/main.js', 'src/rag/ingest-worker.js']) {
      expect(existsSync(join(bundle, entry)), entry).toBe(true);
    }
  });

  test('ingest pages of every format on the worker thread', async () => {
    const { code, stdout } = await bundled('scripts/ingest.js', ['--json'], { CORPUS_DIR: join(root, 'tests/fixtures/sites'), INDEX_DIR: join(workDir, 'sites-index') });
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as IngestReport;
    expect(report.documents.map((d) => [d.source, d.status])).toEqual(expect.arrayContaining([['harbour-dues.md', 'indexed'], ['rift-valley-geothermal.html', 'indexed']]));
    expect(report.documents.find((d) => d.source === 'rift-valley-geothermal.html')?.title).toBe("Olkaria plant adds 83 megawatts to Kenya's grid");
  });

  test('answer as the TypeScript sources do', async () => {
    const lines = QUESTIONS.map((question, i) => JSON.stringify({ id: i, question })).join('\n');
    const file = join(workDir, 'questions.jsonl');
    await writeFile(file, lines);
    const fromBundle = await bundled('scripts/ask.js', ['--json', '--batch', file]);
    const fromSource = await finished(spawnTs('scripts/ask.ts', { ...env, INDEX_DIR: join(workDir, 'source-index') }, workDir, ['--json', '--batch', file]));
    expect(fromBundle.code).toBe(0);
    const answers = (out: string) => out.trim().split('\n').map((l) => withoutTimings(JSON.parse(l) as Answer));
    expect(answers(fromBundle.stdout).map((a) => a.status)).toEqual(['answered', 'answered', 'not_found']);
    expect(answers(fromBundle.stdout)).toEqual(answers(fromSource.stdout));
  });

  test('answer with a language model through the provider package LangChain loads at run time', async () => {
    const server = await startLlmServer({ kind: 'reply', text: 'Lavrov meets Diop in Moscow on February 28 [1].' });
    try {
      const llm = { LLM_PROVIDER: 'openai', OPENAI_BASE_URL: server.openaiBaseUrl, LLM_MODEL: 'test-model', LLM_TIMEOUT_MS: '5000' };
      const { code, stdout, stderr } = await bundled('scripts/ask.js', ['--json', "When will Lavrov meet Mali's foreign minister?"], llm);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const answer = JSON.parse(stdout) as Answer;
      expect(answer.answer).toBe('Lavrov meets Diop in Moscow on February 28 [1].');
      expect(answer.citations[0]?.source).toBe('004_51570dea19fac233.txt');
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  test('run the bot: it answers /ask and stops cleanly', async () => {
    const discord = await DiscordStandIn.start();
    try {
      const { child, exited } = spawnNode([join(bundle, 'src/bot/main.js')], { ...env, DISCORD_TOKEN: 'MTk4.bundle.test', DISCORD_API_URL: discord.apiUrl }, workDir);
      await discord.waitForSession(1, 30_000);
      const ask = discord.slashCommand('ask', { question: 'What did Lavrov discuss in Mali?' });
      const edit = await discord.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(ask.token), 15_000);
      expect(edit.body.embeds[0].description).toContain('004_51570dea19fac233.txt');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      await discord.close();
    }
  });
});
