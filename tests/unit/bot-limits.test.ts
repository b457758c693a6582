/** The per-user question budget and the re-index gate, on a clock the test moves. */
import { describe, expect, test } from 'vitest';
import { RateLimiter } from '../../src/bot/rate-limit.js';
import { ReindexGate } from '../../src/bot/reindex-gate.js';

describe('RateLimiter', () => {
  test('allows `limit` attempts a minute per user, then says how long to wait', () => {
    let now = 0;
    const limiter = new RateLimiter(6, 60_000, () => now);
    for (let i = 0; i < 6; i++, now += 1000) expect(limiter.take('alice')).toBe(0);
    expect(limiter.take('alice')).toBe(54_000);
    expect(limiter.take('bob')).toBe(0);
    now = 60_000;
    expect(limiter.take('alice')).toBe(0);
  });
});

describe('ReindexGate', () => {
  test('one run at a time, then a cooldown after a completed run but not after a failed one', () => {
    let now = 0;
    const gate = new ReindexGate(60_000, () => now);
    expect(gate.tryStart()).toBeNull();
    now = 5_000;
    expect(gate.tryStart()).toMatch(/already running \(started 5 s ago\)/);
    gate.finish(false);
    expect(gate.tryStart()).toBeNull();
    gate.finish(true);
    now = 35_000;
    expect(gate.tryStart()).toMatch(/try again in 30 s/);
    now = 65_000;
    expect(gate.tryStart()).toBeNull();
  });
});
