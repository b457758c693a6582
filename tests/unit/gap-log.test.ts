/** The gap log: questions and ids only, bounded in size by rotation, read back by time. */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { GapLog, sinceDate, type GapRecord } from '../../src/gap-report.js';

const record = (i: number, time = new Date().toISOString()): GapRecord => ({
  time,
  kind: i % 2 ? 'thumbs_down' : 'not_found',
  question: `What did Lavrov discuss in place number ${i}?`,
  answerId: `answer${i}`,
  channelId: '42',
});

describe('GapLog', () => {
  test('rotates past its size bound, keeping one previous file, and reads both back in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gaps-'));
    const log = new GapLog(dir, 1000);
    for (let i = 0; i < 30; i++) await log.append(record(i));
    expect(statSync(log.path).size).toBeLessThanOrEqual(1000);
    expect(statSync(log.previousPath).size).toBeLessThanOrEqual(1000);
    const kept = await log.read();
    expect(kept.length).toBeGreaterThan(5);
    expect(kept.length).toBeLessThan(30);
    expect(kept.at(-1)).toEqual(record(29, kept.at(-1)!.time));
    expect(kept.map((r) => r.answerId)).toEqual([...kept.map((r) => r.answerId)].sort((a, b) => Number(a.slice(6)) - Number(b.slice(6))));
    expect(Object.keys(JSON.parse(readFileSync(log.path, 'utf8').split('\n')[0]!))).toEqual(['time', 'kind', 'question', 'answerId', 'channelId']);
  });

  test('reads only records since the given time, skipping lines that are not records', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gaps-'));
    const log = new GapLog(dir);
    await log.append(record(1, '2020-01-01T00:00:00.000Z'));
    await log.append(record(2));
    const recent = await log.read(sinceDate('7d'));
    expect(recent.map((r) => r.answerId)).toEqual(['answer2']);
  });

  test('a scoped report reads the records made in that scope only; reasons are records of their own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gaps-'));
    const log = new GapLog(dir);
    await log.append({ ...record(1), scope: ['africa'] });
    await log.append({ ...record(2), scope: ['europe', 'africa'] });
    await log.append(record(3));
    await log.append({ time: new Date().toISOString(), kind: 'reason', question: '', answerId: 'answer1', channelId: '42', reason: 'wrong article', scope: ['africa'] });
    expect((await log.read(undefined, ['africa'])).map((r) => r.kind === 'reason' ? r.reason : r.answerId)).toEqual(['answer1', 'wrong article']);
    expect((await log.read(undefined, ['africa', 'europe'])).map((r) => r.answerId)).toEqual(['answer2']);
    expect(await log.read()).toHaveLength(4);
  });

  test('a span is minutes, hours, days or weeks', () => {
    const now = Date.parse('2026-11-27T12:00:00Z');
    expect(sinceDate('7d', now).toISOString()).toBe('2026-11-20T12:00:00.000Z');
    expect(sinceDate('36h', now).toISOString()).toBe('2026-11-26T00:00:00.000Z');
    expect(() => sinceDate('soon', now)).toThrow('the span must be like 7d, 24h, 30m or 2w, not "soon"');
  });
});
