/**
 * `npm run ask -- --json` end to end with LLM_PROVIDER=openai pointing at a loopback model server: the printed answer
 * is the model's checked text, cited from the passages the model was shown, and a failing server still gives the
 * offline answer with exit code 0.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../../src/rag/types.js';
import { startLlmServer, type LlmServer } from '../support/llm-server.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const QUESTION = "When will Lavrov meet Mali's foreign minister?";

let server: LlmServer;
let scratch: string;

beforeAll(async () => {
  server = await startLlmServer();
  scratch = await mkdtemp(join(tmpdir(), 'ask-llm-'));
});
afterAll(async () => {
  await server.close();
  await rm(scratch, { recursive: true, force: true });
});

/** Runs the CLI; execFile rejects unless it exits 0. */
async function ask(question: string): Promise<Answer> {
  const env = {
    ...process.env,
    CORPUS_DIR: join(ROOT, 'corpus'),
    INDEX_DIR: join(scratch, 'index'),
    DATA_DIR: scratch,
    LLM_PROVIDER: 'openai',
    OPENAI_BASE_URL: server.openaiBaseUrl,
    OPENAI_API_KEY: '',
    LLM_MODEL: 'test-model',
    LLM_TIMEOUT_MS: '5000',
  };
  const { stdout } = await run('npx', ['tsx', 'scripts/ask.ts', '--json', question], { cwd: ROOT, env });
  return JSON.parse(stdout) as Answer;
}

/** Passage n of the last request, as the model was shown it (markup unescaped). */
function shownPassage(n: number): { source: string; text: string } {
  const user = server.requests.at(-1)!.body.messages.find((m: { role: string }) => m.role === 'user').content as string;
  const match = user.match(new RegExp(`<passage n="${n}" source="([^"]+)"[^>]*>\\n([^]*?)\\n</passage>`))!;
  const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return { source: unescape(match[1]!), text: unescape(match[2]!) };
}

describe('npm run ask -- --json with LLM_PROVIDER=openai', () => {
  it("prints the model's answer with citations[0] being passage [1]", { timeout: 120_000 }, async () => {
    const reply = 'Lavrov meets Diop in Moscow on February 28 [1]. Lavrov also visited Japan [42].';
    server.behave({ kind: 'reply', text: reply });
    const answer = await ask(QUESTION);

    expect(server.requests).toHaveLength(1);
    const first = shownPassage(1);
    expect(first.text).toContain('February 28');
    expect(answer.status).toBe('answered');
    expect(answer.answer).toBe('Lavrov meets Diop in Moscow on February 28 [1].');
    expect(answer.citations).toHaveLength(1);
    expect(answer.citations[0]).toMatchObject({ n: 1, source: first.source, quote: first.text });
    expect(answer.note).toBeUndefined();
  });

  it('prints the offline answer with a note, exit code 0, when the model server fails', { timeout: 120_000 }, async () => {
    server.behave({ kind: 'error', status: 500, message: 'model crashed' });
    const answer = await ask(QUESTION);

    expect(answer.status).toBe('answered');
    expect(answer.note).toBe('The language model was unavailable (HTTP 500); this is the offline answer.');
    expect(answer.citations[0]!.quote).toContain('February 28');
    expect(answer.answer).toContain('[1]');
  });
});
