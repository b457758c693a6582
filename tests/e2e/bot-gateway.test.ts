/**
 * Gateway and REST trouble on the loopback Discord, and the per-user question budget: the bot recovers, and the
 * pending interaction is answered or told it failed.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isCallback, isEdit, startHarness, type Harness } from '../support/bot-harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ ASK_RATE_PER_MINUTE: '3' }, { heartbeatIntervalMs: 400 });
}, 60_000);

afterAll(async () => {
  await harness?.stop();
});

/** Each test asks as a fresh user, so the question budget of one test does not spill into the next. */
let users = 0;
function freshUser() {
  users += 1;
  return { ...harness.discord.member, id: `${harness.discord.member.id.slice(0, -3)}${String(500 + users)}` };
}

describe('trouble between the bot and Discord', { timeout: 20_000 }, () => {
  test('missing heartbeat ACKs: the bot drops the zombie connection, reconnects and answers', async () => {
    const { discord } = harness;
    const before = discord.handshakes.length;
    discord.withholdHeartbeatAcks(true);
    await discord.waitForSession(before + 1, 10_000);
    discord.withholdHeartbeatAcks(false);
    const ask = discord.slashCommand('ask', { question: 'What did Lavrov discuss in Mali?' }, freshUser());
    const edit = await discord.waitForRequest(isEdit(ask), 10_000);
    expect(edit.body.embeds[0].title).toBe('What did Lavrov discuss in Mali?');
  });

  test('a 429 with retry-after on the reply: the bot waits and the answer still arrives', async () => {
    const { discord } = harness;
    discord.failRoute('PATCH', /\/messages\/@original$/, 429, { retryAfterSeconds: 1 });
    const ask = discord.slashCommand('ask', { question: 'When did Lavrov arrive in Burundi?' }, freshUser());
    const edit = await discord.waitForRequest(isEdit(ask), 10_000);
    const attempts = discord.requestsFor(ask).filter((r) => r.method === 'PATCH');
    expect(attempts.map((r) => r.status)).toEqual([429, 200]);
    expect(edit.body.embeds[0].description).toContain('[insert date]');
  });

  test('a 500 on the deferral: the request is retried and the answer arrives', async () => {
    const { discord } = harness;
    discord.failRoute('POST', /\/callback$/, 500, { times: 1 });
    const ask = discord.slashCommand('ask', { question: 'Where will the Togo embassy open?' }, freshUser());
    await discord.waitForRequest(isEdit(ask), 10_000);
    expect(discord.requestsFor(ask).filter(isCallback(ask)).map((r) => r.status)).toEqual([500, 204]);
  });

  test('the reply keeps failing with 500: the user is told something went wrong, with a reference that is in the log', async () => {
    const { discord } = harness;
    // discord.js tries a request four times (three retries) before giving up.
    discord.failRoute('PATCH', /\/messages\/@original$/, 500, { times: 4 });
    const ask = discord.slashCommand('ask', { question: 'What did Lavrov discuss in Mali?' }, freshUser());
    const told = await discord.waitForRequest(isEdit(ask), 15_000);
    const ref = /Something went wrong \(ref ([0-9a-f]+)\)/.exec(told.body.content)?.[1];
    expect(ref).toBeDefined();
    expect(told.body.embeds).toEqual([]);
    const logged = harness.logLines.map((l) => JSON.parse(l)).find((l) => l.ref === ref);
    expect(logged).toMatchObject({ level: 50, command: '/ask', outcome: 'failed' });
  });
});

describe('load', { timeout: 30_000 }, () => {
  test('50 /ask at once from different users: every one deferred and answered, none lost', async () => {
    const { discord } = harness;
    const questions = ['What did Lavrov discuss in Mali?', 'When did Lavrov arrive in Burundi?', 'Where will the Togo embassy open?'];
    const asks = Array.from({ length: 50 }, (_, i) => discord.slashCommand('ask', { question: questions[i % 3]! }, freshUser()));
    const edits = await Promise.all(asks.map((ask) => discord.waitForRequest(isEdit(ask), 25_000)));
    expect(edits.map((e) => e.body.embeds[0].title)).toEqual(asks.map((_, i) => questions[i % 3]));
    expect(asks.every((ask) => discord.requests.some(isCallback(ask)))).toBe(true);
  });
});

describe('the per-user question budget', { timeout: 20_000 }, () => {
  test('/ask beyond the limit gets a polite ephemeral reply, and other users are unaffected', async () => {
    const { discord } = harness;
    const asker = freshUser();
    for (let i = 0; i < 3; i++) {
      const ask = discord.slashCommand('ask', { question: `What did Lavrov discuss in Mali? (${i})` }, asker);
      await discord.waitForRequest(isEdit(ask), 10_000);
    }
    const fourth = discord.slashCommand('ask', { question: 'And Togo?' }, asker);
    const refusal = await discord.waitForRequest(isCallback(fourth));
    expect(refusal.body).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(refusal.body.data.content).toMatch(/^You have asked 3 questions in the last minute — please wait \d+ s/);
    const other = discord.slashCommand('ask', { question: 'And Togo?' }, freshUser());
    await discord.waitForRequest(isEdit(other), 10_000);
  });

  test('mentions share the same budget and are refused as a reply that pings nobody', async () => {
    const { discord } = harness;
    const asker = freshUser();
    for (let i = 0; i < 3; i++) discord.slashCommand('ask', { question: `What did Lavrov discuss in Mali? (${i})` }, asker);
    const message = discord.postMessage(`<@${discord.bot.id}> what about Togo?`, { mentionBot: true, user: asker });
    const reply = await discord.waitForRequest((r) => r.body?.message_reference?.message_id === message.id, 10_000);
    expect(reply.body.content).toMatch(/please wait/);
    expect(reply.body.allowed_mentions).toEqual({ parse: [], replied_user: false });
  });
});
