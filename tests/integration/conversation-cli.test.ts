/** Conversations from the terminal: `ask --batch` with conversation lines, `npm run chat`, and `npm run gaps`. */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanedText } from '../support/cleaned-texts.js';

const run = promisify(execFile);
const workDir = mkdtempSync(join(tmpdir(), 'conversation-cli-'));
const env = { ...process.env, INDEX_DIR: join(workDir, 'index'), DATA_DIR: join(workDir, 'data') };

async function cli(script: string, args: string[], stdin = '') {
  const child = spawn('npx', ['tsx', `scripts/${script}.ts`, ...args], { env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(stdin);
  const code = await new Promise<number | null>((done) => child.on('close', done));
  return { code, stdout, stderr };
}

beforeAll(async () => {
  await run('npx', ['tsx', 'scripts/ingest.ts', '--json'], { env, maxBuffer: 1 << 24 });
}, 180_000);

describe('npm run ask -- --batch with conversations', () => {
  it('answers lines sharing a "conversation" as one thread, in file order, with the question as understood', async () => {
    const file = join(workDir, 'conversations.jsonl');
    const lines = [
      { id: 'm1', conversation: 'mali', question: 'Which Malian minister is Lavrov due to meet in Moscow?' },
      { id: 'alone', question: 'and what about Togo?' },
      { id: 'b1', conversation: 'burundi', question: 'What did Lavrov discuss in Burundi?' },
      { id: 'm2', conversation: 'mali', question: 'When is that meeting?' },
      { id: 'b2', conversation: 'burundi', question: 'and what about Mali?' },
    ];
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n'));
    const { code, stdout } = await cli('ask', ['--batch', file]);
    expect(code).toBe(0);
    const out = new Map(stdout.trim().split('\n').map((l) => [JSON.parse(l).id, JSON.parse(l)]));
    expect([...out.keys()]).toEqual(['m1', 'alone', 'b1', 'm2', 'b2']);
    expect(out.get('m1')).toMatchObject({ conversation: 'mali', understood: 'Which Malian minister is Lavrov due to meet in Moscow?' });
    // Each conversation carries its own subject over; the line between them is not part of either.
    expect(out.get('m2').understood).toMatch(/^When is that meeting \(.*Lavrov.*Moscow.*\)\?$/);
    expect(out.get('m2').citations[0].source).toBe('004_51570dea19fac233.txt');
    expect(out.get('b2')).toMatchObject({ status: 'answered', understood: 'What did Lavrov discuss in Mali?' });
    expect(out.get('b2').citations[0].source).toBe('004_51570dea19fac233.txt');
    // "¶ n" sends a reader to the paragraph of the cleaned text (what the bot reads) that holds the quote.
    for (const c of out.get('b2').citations) {
      const paragraphs = cleanedText(env.INDEX_DIR, c.source).split(/\n\s*\n/);
      expect(paragraphs[c.paragraph - 1]).toContain(c.quote);
    }
    expect(out.get('alone')).not.toHaveProperty('understood');
    expect(out.get('alone')).not.toHaveProperty('conversation');
  });
});

describe('npm run chat', () => {
  it('reads one question a line as one conversation and shows how each follow-up was understood', async () => {
    const { code, stdout } = await cli('chat', [], 'What did Lavrov discuss in Burundi?\nand what about Mali?\n?!?\nwhen is the meeting?\n');
    expect(code).toBe(0);
    const turns = stdout.split(/\n─+\n/);
    expect(turns).toHaveLength(4);
    expect(turns[0]).not.toContain('Understood as');
    expect(turns[1]).toContain('Understood as: What did Lavrov discuss in Mali?');
    expect(turns[1]).toMatch(/\[1[\d, ]*\] .+ \(004_51570dea19fac233\.txt, ¶ [\d, ]+\)/);
    // A line that is no question is told so, and the conversation goes on from the turn before it.
    expect(turns[2]).toContain('Sorry — the question has no words to search for.');
    expect(turns[3]).toMatch(/Understood as: When is the meeting \(.*Mali.*\)\?/);
    expect(turns[3]).toContain('004_51570dea19fac233.txt');
  });
});

describe('npm run gaps', () => {
  beforeAll(() => {
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString();
    const records = [
      { time: at(1), kind: 'not_found', question: 'What did Lavrov discuss in Japan?', answerId: 'a1', channelId: '1' },
      { time: at(2), kind: 'not_found', question: 'Who is the prime minister of Japan?', answerId: 'a2', channelId: '1' },
      { time: at(0.5), kind: 'thumbs_down', question: 'How many troops does Russia have in Mali?', answerId: 'a3', channelId: '1' },
      { time: at(30), kind: 'not_found', question: 'What did Lavrov discuss in Peru?', answerId: 'a4', channelId: '2' },
    ];
    mkdirSync(env.DATA_DIR, { recursive: true });
    writeFileSync(join(env.DATA_DIR, 'gaps.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  });

  it('groups the last week\'s unanswered questions by subject, most frequent first, with the closest documents', async () => {
    const { code, stdout } = await cli('gaps', []);
    expect(code).toBe(0);
    const blocks = stdout.split('\n\n');
    expect(blocks[0]).toContain('3 (not found or 👎) in 2 groups');
    expect(blocks[1]).toMatch(/^japan — 2× \(2 not found, 0 👎\)\n {2}1× What did Lavrov discuss in Japan\?\n {2}1× Who is the prime minister of Japan\?\n {2}closest: .+ \(\d{3}_\w+\.txt\)/);
    expect(blocks[2]).toMatch(/1× \(0 not found, 1 👎\)\n {2}1× How many troops does Russia have in Mali\?/);
    expect(stdout).not.toContain('Peru');
  });

  it('reaches further back with --since and prints JSON with --json', async () => {
    const { code, stdout } = await cli('gaps', ['--since', '5w', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.records).toBe(4);
    const peru = report.groups.find((g: { terms: string[] }) => g.terms.includes('peru'));
    expect(peru.questions).toEqual([expect.objectContaining({ question: 'What did Lavrov discuss in Peru?', count: 1 })]);
    expect(peru.documents).toHaveLength(3);
  });

  it('refuses a span it cannot read in one line, exit 2', async () => {
    const { code, stderr } = await cli('gaps', ['--since', 'last tuesday']);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe('error: the span must be like 7d, 24h, 30m or 2w, not "last tuesday"');
  });
});
