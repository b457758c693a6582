/** The bot's state in DATA_DIR: thread conversations per person, bounded in turns and age, written whole or not at all. */
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ChannelScopes, placeOf } from '../../src/bot/scopes.js';
import { StateFile } from '../../src/bot/state-file.js';
import { ThreadMemory } from '../../src/bot/thread-memory.js';
import { MAX_TURNS, type Answer } from '../../src/rag/types.js';

const answer = (question: string, source = 'africa/mali.txt'): Answer => ({
  question,
  status: 'answered',
  answer: `An answer to ${question} [1]`,
  citations: [{ n: 1, source, title: 'T', quote: 'q', start: 0, end: 1, score: 1 }],
  flags: [],
  timings: { totalMs: 1 },
});
const DAY = 86_400_000;

describe('ThreadMemory', () => {
  test('each person continues their own turns; a newcomer continues the question that opened the thread', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'memory-'));
    const memory = await ThreadMemory.open(dir, 7 * DAY);
    await memory.remember('t1', 'ana', answer('What did Lavrov discuss in Burundi?'));
    await memory.remember('t1', 'ben', answer('Who did Lavrov meet in Mali?'));
    await memory.remember('t1', 'ana', answer('What did Lavrov discuss in Togo?'));
    expect(memory.history('t1', 'ana').map((t) => t.question)).toEqual(['What did Lavrov discuss in Burundi?', 'What did Lavrov discuss in Togo?']);
    expect(memory.history('t1', 'ben').map((t) => t.question)).toEqual(['What did Lavrov discuss in Burundi?', 'Who did Lavrov meet in Mali?']);
    expect(memory.history('t1', 'cleo').map((t) => t.question)).toEqual(['What did Lavrov discuss in Burundi?']);
    expect(memory.history('t2', 'ana')).toEqual([]);
  });

  test(`keeps a person's last ${MAX_TURNS} turns, and reads them back after a restart`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'memory-'));
    const memory = await ThreadMemory.open(dir, 7 * DAY);
    for (let i = 1; i <= 6; i++) await memory.remember('t1', 'ana', answer(`Question ${i}?`));
    const again = await ThreadMemory.open(dir, 7 * DAY);
    expect(again.history('t1', 'ana').map((t) => t.question)).toEqual(['Question 3?', 'Question 4?', 'Question 5?', 'Question 6?']);
    expect(again.history('t1', 'ana')[3]!.sources).toEqual(['africa/mali.txt']);
  });

  test('forgets a conversation unused for longer than the age bound, and what it was told to forget', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'memory-'));
    let now = Date.parse('2026-12-01T00:00:00Z');
    const memory = await ThreadMemory.open(dir, 7 * DAY, () => now);
    await memory.remember('old', 'ana', answer('What did Lavrov discuss in Mali?'));
    now += 3 * DAY;
    await memory.remember('recent', 'ana', answer('What did Lavrov discuss in Togo?'));
    await memory.remember('archived', 'ana', answer('What did Lavrov discuss in Burundi?'));
    await memory.forget('archived');
    now += 5 * DAY;
    expect(memory.has('old')).toBe(false);
    expect(memory.has('recent')).toBe(true);
    expect(memory.has('archived')).toBe(false);
    const reopened = await ThreadMemory.open(dir, 7 * DAY, () => now);
    expect(reopened.has('recent')).toBe(true);
    await reopened.remember('recent', 'ben', answer('Who?'));
    expect(Object.keys(JSON.parse(await readFile(reopened.path, 'utf8')).threads)).toEqual(['recent']);
  });

  test('a file that is not a memory (hand-edited, truncated) starts afresh rather than failing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'memory-'));
    await writeFile(join(dir, 'threads.json'), '{"version":1,"threads":{"t1":{"opening":');
    const memory = await ThreadMemory.open(dir, 7 * DAY);
    expect(memory.has('t1')).toBe(false);
  });
});

describe('StateFile', () => {
  test('concurrent writes end with the last value, whole, and leave no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'state-'));
    const file = new StateFile<{ n: number; pad: string }>(join(dir, 'state.json'));
    await Promise.all(Array.from({ length: 50 }, (_, n) => file.write({ n, pad: 'x'.repeat(10_000) })));
    expect((await file.read()) as { n: number }).toMatchObject({ n: 49 });
    expect(await readdir(dir)).toEqual(['state.json']);
  });
});

describe('ChannelScopes', () => {
  test('a channel has its own scope, else its category’s; an unreadable map stops the bot instead of opening every document', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scopes-'));
    const scopes = await ChannelScopes.open(dir);
    await scopes.set('category', { kind: 'category', folders: ['europe'], setBy: '1', time: '2026-12-07T00:00:00Z' });
    await scopes.set('africa-desk', { kind: 'channel', folders: ['africa'], setBy: '1', time: '2026-12-07T00:00:00Z' });
    const reopened = await ChannelScopes.open(dir);
    expect(reopened.scopeOf({ channelId: 'africa-desk', categoryId: 'category' })).toEqual(['africa']);
    expect(reopened.scopeOf({ channelId: 'europe-desk', categoryId: 'category' })).toEqual(['europe']);
    expect(reopened.scopeOf({ channelId: 'general', categoryId: null })).toBeUndefined();
    expect(placeOf(null, 'dm')).toEqual({ channelId: 'dm', categoryId: null });

    await writeFile(join(dir, 'scopes.json'), '{"version":1,"places":{"x":{"kind":"channel"}}}');
    await expect(ChannelScopes.open(dir)).rejects.toThrow(/is not a scope map; fix or remove it/);
  });
});
