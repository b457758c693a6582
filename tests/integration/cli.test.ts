import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const indexDir = mkdtempSync(join(tmpdir(), 'cli-index-'));
const env = { ...process.env, INDEX_DIR: indexDir };

async function cli(script: string, args: string[]) {
  try {
    const { stdout, stderr } = await run('npx', ['tsx', `scripts/${script}.ts`, ...args], { env, maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('npm run ingest', () => {
  it('reports five titled documents and the one placeholder, then everything unchanged', async () => {
    const first = await cli('ingest', ['--json']);
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report.documents).toHaveLength(5);
    expect(report.documents.every((d: { title: string; status: string }) => d.title && d.status === 'indexed')).toBe(true);
    const placeholders = report.documents.flatMap((d: { source: string; placeholders: { text: string }[] }) =>
      d.placeholders.map((p) => [d.source, p.text]),
    );
    expect(placeholders).toEqual([['000_c2b3d48a19ad4320.txt', '[insert date]']]);
    expect(report.chunks).toBeGreaterThan(50);

    const second = JSON.parse((await cli('ingest', ['--json'])).stdout);
    expect(second.documents.map((d: { status: string }) => d.status)).toEqual(Array(5).fill('unchanged'));
  });
});

describe('npm run ask', () => {
  beforeAll(async () => {
    await cli('ingest', ['--json']);
  });

  it('prints the answer once, one line per cited document with its paragraphs, and flags for a person', async () => {
    const { code, stdout } = await cli('ask', ['When did Lavrov arrive in Burundi?']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Sources:\n {2}\[1[\d, ]*\] .+ \(000_c2b3d48a19ad4320\.txt, ¶ [\d, ]+\)\n/);
    // An extractive answer is made of its quotes: they are not printed a second time.
    expect(stdout).not.toMatch(/\n {6}\[\d+\] “/);
    expect(stdout).toContain('⚠ The source leaves this blank: [insert date]');
  });

  it('prints one JSON object with --json', async () => {
    const { code, stdout } = await cli('ask', ['--json', 'When was the Union State Treaty signed?']);
    expect(code).toBe(0);
    const a = JSON.parse(stdout);
    expect(Object.keys(a)).toEqual(expect.arrayContaining(['question', 'status', 'answer', 'citations', 'flags', 'timings']));
    expect(a.answer).toContain('1999');
    expect(Object.keys(a.citations[0])).toEqual(['n', 'source', 'title', 'quote', 'start', 'end', 'score', 'when', 'paragraph']);
    // The treaty's year is in the quote, so the citation says when: "signed in 1999".
    expect(a.citations[0].when).toEqual({ date: '1999', from: 'text', year: 'stated' });
    expect(typeof a.timings.totalMs).toBe('number');
  });

  it('answers a batch file one JSON line per question, with ids', async () => {
    const file = join(indexDir, 'q.jsonl');
    writeFileSync(file, ['{"id":"a","question":"Who won the 2022 World Cup?"}', '{"id":"b","question":"How much grain did Russia give Mali?"}'].join('\n'));
    const { code, stdout } = await cli('ask', ['--batch', file]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.id, l.status])).toEqual([
      ['a', 'not_found'],
      ['b', 'answered'],
    ]);
    expect(lines[1].answer).toContain('25,000');
  });

  it('reports a batch line that is not a JSON object by its line number and answers the others', async () => {
    const file = join(indexDir, 'mixed.jsonl');
    writeFileSync(file, ['null', '{"id":"b","question":"How much grain did Russia give Mali?"}', '', '[1, 2]', '42', '{oops', '{"id":"f","question":"When did Lavrov arrive in Burundi?"}'].join('\n'));
    const { code, stdout, stderr } = await cli('ask', ['--batch', file]);
    expect(code).toBe(0);
    expect(stdout.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual(['b', 'f']);
    expect(stderr.trim().split('\n').filter((l) => l.startsWith(file))).toEqual(
      [1, 4, 5, 6].map((n) => `${file}:${n}: not a JSON object, skipped`),
    );
  });

  it.each([
    [['   '], 'the question is empty'],
    [['x'.repeat(2001)], 'the question is too long'],
    [['?!?'], 'no words to search for'],
  ])('exits 2 with a one-line reason for invalid input %#', async (args, reason) => {
    const { code, stderr, stdout } = await cli('ask', args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(reason);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('names a bad setting in one line and exits 2', async () => {
    const { code, stderr } = await run('npx', ['tsx', 'scripts/ask.ts', 'hello'], { env: { ...env, LLM_TIMEOUT_MS: 'soon' } }).then(
      () => ({ code: 0, stderr: '' }),
      (e) => e,
    );
    expect(code).toBe(2);
    expect(stderr.trim()).toBe('error: LLM_TIMEOUT_MS: must be a whole number of milliseconds between 1000 and 600000 (see .env.example)');
  });
});

describe('npm run summary', () => {
  it('lists documents and summarizes one as JSON', async () => {
    const list = await cli('summary', ['--list']);
    expect(list.stdout.trim().split('\n')).toHaveLength(5);
    const { stdout } = await cli('summary', ['--source', '003_aed676f35e158f01.txt', '--json']);
    const s = JSON.parse(stdout);
    expect(s.summary.length).toBeGreaterThan(100);
    expect(s.citations[0].source).toBe('003_aed676f35e158f01.txt');
  });

  it('takes a path into the corpus, as a shell completes it, like the bare file name', async () => {
    const byName = (await cli('summary', ['--source', '003_aed676f35e158f01.txt', '--json'])).stdout;
    for (const path of ['corpus/003_aed676f35e158f01.txt', './corpus/003_aed676f35e158f01.txt', join(process.cwd(), 'corpus/003_aed676f35e158f01.txt')]) {
      const { code, stdout } = await cli('summary', ['--source', path, '--json']);
      expect(code).toBe(0);
      expect(stdout).toBe(byName);
    }
    const outside = await cli('summary', ['--source', 'eval/web/corpus/hornmonitor-cbk-rate-cut.txt']);
    expect(outside.code).toBe(1);
    expect(outside.stderr.trim()).toBe('error: no indexed document named eval/web/corpus/hornmonitor-cbk-rate-cut.txt; /sources or npm run summary -- --list shows them');
  });
});
