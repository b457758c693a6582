/**
 * The bot as users meet it: the real discord.js Client and the real answer engine over `corpus/`, talking to a
 * Discord stand-in on loopback. Assertions are on what Discord would have received.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { AnswerEngine } from '../../src/rag/types.js';
import type { DiscordStandIn } from '../support/discord-standin.js';
import { isCallback, isEdit, startHarness, TEST_TOKEN, type Harness, type InteractionRef } from '../support/bot-harness.js';

const MALI_FILE = '004_51570dea19fac233.txt';

let harness: Harness;
let discord: DiscordStandIn;
let engine: AnswerEngine;

beforeAll(async () => {
  harness = await startHarness({ ANSWER_MENTIONS: 'true' });
  ({ discord, engine } = harness);
}, 60_000);

afterAll(async () => {
  await harness?.stop();
});

/** The deferral and then the edited reply for one interaction, in the order Discord got them. */
async function deferredReply(interaction: InteractionRef) {
  const edit = await discord.waitForRequest(isEdit(interaction), 15_000, 'the edited reply');
  const deferral = discord.requests.find(isCallback(interaction));
  expect(deferral, 'a deferral before the edit').toBeDefined();
  expect(discord.requests.indexOf(deferral!)).toBeLessThan(discord.requests.indexOf(edit));
  return { deferral: deferral!, edit };
}

/** The re-index report: progress edits (plain lines, every few seconds of a long ingest) may come before it. */
const reindexReport = (interaction: InteractionRef) =>
  discord.waitForRequest((r) => isEdit(interaction)(r) && r.body.embeds.length > 0, 30_000, 'the re-index report');

describe('the bot on a loopback Discord', { timeout: 20_000 }, () => {
  test('connects with only the intents it needs', () => {
    const identify = discord.handshakes.find((h) => h.op === 'identify');
    // Guilds (1) for commands and threads, GuildMessages (512) for mentions and follow-ups, and Message Content
    // (32768): a follow-up in a thread mentions no one, and Discord withholds such text without it.
    expect(identify?.d.intents).toBe(1 | 512 | 32768);
  });

  test('/ask about Mali defers, then edits in an embed showing the answer once and the Mali article it cites', async () => {
    const question = 'What did Lavrov discuss in Mali?';
    const { deferral, edit } = await deferredReply(discord.slashCommand('ask', { question }));
    expect(deferral.body).toEqual({ type: 5, data: { flags: 64 } }); // deferred, ephemeral
    expect(edit.body.allowed_mentions.parse).toEqual([]);
    const [embed] = edit.body.embeds;
    expect(embed.title).toBe(question);
    expect(embed.description).toMatch(/\[1\]/);
    const expected = (await engine.ask(question)).citations.find((c) => c.source === MALI_FILE)!;
    expect(expected.quote).toMatch(/Mali|Diop/);
    expect(embed.description).toContain(expected.quote);
    expect(embed.description).toMatch(new RegExp(`\\[[\\d, ]*${expected.n}[\\d, ]*\\] .+ · \`${MALI_FILE}\` · ¶ [\\d, ]*${expected.paragraph}`));
    expect(edit.body.components[0].components.map((b: { custom_id: string }) => b.custom_id)).toEqual([
      expect.stringMatching(/^feedback:up:/),
      expect.stringMatching(/^feedback:down:/),
      expect.stringMatching(/^share:/),
    ]);
  });

  test('the rendered answer holds no sentence twice', async () => {
    const question = 'What did Lavrov discuss in Mali?';
    const { edit } = await deferredReply(discord.slashCommand('ask', { question }));
    const [embed] = edit.body.embeds;
    const shown = [embed.description, ...(embed.fields ?? []).map((f: { value: string }) => f.value)].join('\n');
    const { citations } = await engine.ask(question);
    expect(citations.length).toBeGreaterThan(1);
    for (const c of citations) expect(shown.split(c.quote).length - 1, c.quote).toBe(1);
  });

  test('/ask public:true answers for the whole channel', async () => {
    const { deferral, edit } = await deferredReply(discord.slashCommand('ask', { question: 'Where will the Togo embassy open?', public: true }));
    expect(deferral.body.data?.flags ?? 0).toBe(0);
    expect(edit.body.embeds[0].description).toContain('`002_b32f95e2bef2da54.txt`');
  });

  test('/ask about Burundi shows the placeholder the source left blank', async () => {
    const { edit } = await deferredReply(discord.slashCommand('ask', { question: 'When did Lavrov arrive in Burundi?' }));
    expect(edit.body.embeds[0].description).toContain('⚠ The source leaves this blank: [insert date]');
  });

  test('/ask about something the corpus does not cover says so and names the closest documents', async () => {
    const { edit } = await deferredReply(discord.slashCommand('ask', { question: 'What did Lavrov discuss in Japan?' }));
    const [embed] = edit.body.embeds;
    expect(embed.fields ?? []).toHaveLength(0);
    expect(embed.description).toMatch(/could not find/i);
    // At most three, each by title and file: a list that stays short however large the corpus.
    const [, closest] = embed.description.split('The closest the corpus comes: ');
    const named = closest.match(/“[^”]+” \([^)]+\.txt\)/g) ?? [];
    expect(named.length).toBeGreaterThan(0);
    expect(named.length).toBeLessThanOrEqual(3);
    expect(embed.description).toContain('Lavrov');
  });

  test('/ask with nothing to search for is refused politely in one line', async () => {
    const { edit } = await deferredReply(discord.slashCommand('ask', { question: '?!? …' }));
    expect(edit.body.content).toBe('Sorry — the question has no words to search for.');
    expect(edit.body.embeds).toEqual([]);
  });

  test('👍 under an answer is appended to the feedback file with the user id, not the name', async () => {
    const question = 'What did Lavrov discuss in Mali?';
    const { edit } = await deferredReply(discord.slashCommand('ask', { question }));
    const upId: string = edit.body.components[0].components[0].custom_id;
    const click = discord.clickButton({ ...edit.body, id: '1', channel_id: discord.channelId }, upId);
    const ack = await discord.waitForRequest(isCallback(click));
    expect(ack.body.data.flags).toBe(64);
    const lines = (await readFile(join(harness.dataDir, 'feedback.jsonl'), 'utf8')).trim().split('\n');
    const record = JSON.parse(lines.at(-1)!);
    expect(record).toMatchObject({ question, userId: discord.member.id, vote: 'up', answerId: upId.split(':')[2] });
    expect(JSON.stringify(record)).not.toContain(discord.member.username);
  });

  test('/reindex from a member without Manage Server is refused, ephemerally, and nothing is rebuilt', async () => {
    const attempt = discord.slashCommand('reindex', {}, discord.member);
    const reply = await discord.waitForRequest(isCallback(attempt));
    expect(reply.body.type).toBe(4);
    expect(reply.body.data.flags).toBe(64);
    expect(reply.body.data.content).toMatch(/Manage Server/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(discord.requests.some(isEdit(attempt))).toBe(false);
  });

  test('/reindex from an admin runs the ingest and reports documents, chunks and placeholders', async () => {
    const run = discord.slashCommand('reindex', {}, discord.admin);
    const second = discord.slashCommand('reindex', {}, discord.admin);
    const { deferral } = await deferredReply(run);
    expect(deferral.body.data.flags).toBe(64);
    const [embed] = (await reindexReport(run)).body.embeds;
    expect(embed.title).toBe('Re-index finished');
    expect(embed.description).toMatch(/^5 documents, \d+ chunks, 1 placeholders, 0 skipped/);
    expect(embed.description).toContain(MALI_FILE);
    const told = await discord.waitForRequest(isCallback(second));
    expect(told.body.data.content).toMatch(/already running/);
  });

  test('/reindex from a member holding a role in ADMIN_ROLE_IDS runs too', async () => {
    const librarian = { ...discord.member, roles: [discord.adminRoleId] };
    const run = discord.slashCommand('reindex', {}, librarian);
    await deferredReply(run);
    expect((await reindexReport(run)).body.embeds[0].title).toBe('Re-index finished');
  });

  test('a message mentioning the bot with @everyone gets an answer as a reply that pings nobody', async () => {
    const message = discord.postMessage(`<@${discord.bot.id}> @everyone what did Lavrov discuss in Mali?`, {
      mentionBot: true,
      mentionEveryone: true,
    });
    const reply = await discord.waitForRequest(
      (r) => r.method === 'POST' && r.path === `/channels/${discord.channelId}/messages` && r.body?.message_reference?.message_id === message.id,
      15_000,
      'the reply to the mention',
    );
    expect(reply.body.allowed_mentions).toEqual({ parse: [], replied_user: false });
    expect(reply.body.content ?? '').not.toMatch(/@everyone|<@/);
    expect(reply.body.embeds[0].description).toContain(`\`${MALI_FILE}\``);
  });

  test('a mention inside a thread is answered in that thread', async () => {
    const message = discord.postMessage(`<@${discord.bot.id}> which countries are opening embassies?`, {
      mentionBot: true,
      channelId: discord.threadId,
    });
    const reply = await discord.waitForRequest(
      (r) => r.method === 'POST' && r.path === `/channels/${discord.threadId}/messages` && r.body?.message_reference?.message_id === message.id,
    );
    expect(reply.body.embeds[0].description).toMatch(/\[1\]/);
  });

  test('after the gateway closes the socket, the bot reconnects and answers what was asked meanwhile and after', async () => {
    const before = discord.handshakes.length;
    discord.closeSocket(4000);
    // Dispatched while the socket is down: Discord replays it on RESUME.
    const meanwhile = discord.slashCommand('ask', { question: 'What did Lavrov discuss in Mali?' });
    await discord.waitForSession(before + 1);
    expect(discord.handshakes[before]!.op).toBe('resume');
    const after = discord.slashCommand('ask', { question: 'When did Lavrov arrive in Burundi?' });
    expect((await deferredReply(meanwhile)).edit.body.embeds[0].title).toBe('What did Lavrov discuss in Mali?');
    expect((await deferredReply(after)).edit.body.embeds[0].title).toBe('When did Lavrov arrive in Burundi?');
  });

  test('/summary autocomplete offers document titles matching what was typed', async () => {
    const all = discord.autocomplete('summary', { name: 'source', value: '' });
    const allChoices = (await discord.waitForRequest(isCallback(all))).body;
    expect(allChoices.type).toBe(8);
    const sources = await engine.sources();
    expect(allChoices.data.choices.map((c: { value: string }) => c.value)).toEqual(sources.map((s) => s.source));
    allChoices.data.choices.forEach(({ name }: { name: string }, i: number) => {
      // Discord caps a choice name at 100 characters: long titles are shortened at a word, with "…".
      const title = sources[i]!.title;
      expect(name.length).toBeLessThanOrEqual(100);
      expect(name === title || (name.endsWith('…') && title.startsWith(name.slice(0, -1)))).toBe(true);
    });

    const typed = discord.autocomplete('summary', { name: 'source', value: 'togo' });
    const choices = (await discord.waitForRequest(isCallback(typed))).body.data.choices;
    expect(choices).toEqual([{ name: 'Russia Expands Diplomatic Footprint in Africa with Togo Embassy Opening', value: '002_b32f95e2bef2da54.txt' }]);
  });

  test('/summary of a picked document is a cited summary of that document', async () => {
    const { edit } = await deferredReply(discord.slashCommand('summary', { source: '002_b32f95e2bef2da54.txt' }));
    const [embed] = edit.body.embeds;
    expect(embed.title).toBe('Summary: Russia Expands Diplomatic Footprint in Africa with Togo Embassy Opening');
    expect(embed.fields.length).toBeGreaterThan(0);
    expect(embed.fields.every((f: { value: string }) => f.value.includes('002_b32f95e2bef2da54.txt'))).toBe(true);
  });

  test('/summary of an unknown document is told so in one line', async () => {
    const { edit } = await deferredReply(discord.slashCommand('summary', { source: 'nonexistent.txt' }));
    expect(edit.body.content).toMatch(/^Sorry — no indexed document named nonexistent\.txt/);
    expect(edit.body.embeds).toEqual([]);
  });

  test('/sources lists every document with its file, chunk count and placeholders', async () => {
    const { edit } = await deferredReply(discord.slashCommand('sources'));
    const [embed] = edit.body.embeds;
    expect(embed.title).toBe('Indexed documents (5)');
    const burundi = embed.fields.find((f: { value: string }) => f.value.includes('000_c2b3d48a19ad4320.txt'));
    expect(burundi.value).toMatch(/\d+ chunks · 1 placeholder: \[insert date\]/);
  });

  test('/timeline lists the dated events of a subject in date order, each cited, and says where an undated year comes from', async () => {
    const { edit } = await deferredReply(discord.slashCommand('timeline', { subject: 'Lavrov Africa meetings' }));
    const [embed] = edit.body.embeds;
    expect(embed.title).toBe('Timeline: Lavrov Africa meetings (3 events)');
    const dates = [...(embed.description as string).matchAll(/^\*\*([\d-]+)\*\*/gm)].map((m) => m[1]);
    expect(dates).toEqual(['2023-02', '2023-09-21', '2024-02-28']);
    expect(embed.description).toMatch(/\*\*2024-02-28\*\* \(year inferred: the article is undated\) “Russian Foreign Minister Sergey Lavrov is set to meet with Mali's Foreign Minister Abdoulaye Diop in Moscow on February 28\.” \[\d+\] `004_51570dea19fac233\.txt`/);
  });

  test('/help explains the commands and names what the bot knows', async () => {
    const { edit } = await deferredReply(discord.slashCommand('help'));
    expect(edit.body.embeds[0].description).toContain('/ask');
    expect(edit.body.embeds[0].description).toMatch(/in a thread, where anyone can ask follow-ups/);
    for (const command of ['Share to channel', 'Ask the corpus', '`/add`', '`/scope set|show|clear`', 'what was wrong']) {
      expect(edit.body.embeds[0].description).toContain(command);
    }
    expect(edit.body.embeds[0].description).toContain('`/gaps`');
    expect(edit.body.embeds[0].description).toContain('I know 5 documents');
  });

  test('a public answer opens a thread named after the question; a follow-up there needs no mention', async () => {
    const question = 'What did Lavrov discuss in Burundi?';
    const ask = discord.slashCommand('ask', { question, public: true });
    const { edit } = await deferredReply(ask);
    const opened = await discord.waitForRequest((r) => r.method === 'POST' && /^\/channels\/\d+\/messages\/\d+\/threads$/.test(r.path) && r.body?.name === question);
    const threadId = [...discord.threads.values()].find((t) => t.name === question)!.id as string;
    expect(opened.status).toBe(201);
    expect(edit.body.embeds[0].title).toBe(question);

    const followUp = discord.postMessage('and what about Mali?', { channelId: threadId });
    const reply = await discord.waitForRequest(
      (r) => r.method === 'POST' && r.path === `/channels/${threadId}/messages` && r.body?.message_reference?.message_id === followUp.id,
      15_000,
      'the answer to the follow-up',
    );
    const [embed] = reply.body.embeds;
    expect(reply.body.allowed_mentions).toEqual({ parse: [], replied_user: false });
    expect(embed.title).toBe('and what about Mali?');
    expect(embed.description).toContain('Understood as: What did Lavrov discuss in Mali?');
    expect(embed.description).toContain(`\`${MALI_FILE}\``);

    const when = discord.postMessage('when is the meeting?', { channelId: threadId });
    const second = await discord.waitForRequest(
      (r) => r.method === 'POST' && r.path === `/channels/${threadId}/messages` && r.body?.message_reference?.message_id === when.id,
      15_000,
      'the answer to the second follow-up',
    );
    expect(second.body.embeds[0].description).toMatch(/Understood as: When is the meeting \(.*Mali.*\)\?/);
    expect(second.body.embeds[0].description).toContain(`\`${MALI_FILE}\``);

    // Archived, the thread's conversation is over: a message there is no longer a question for the bot.
    discord.archiveThread(threadId);
    const late = discord.postMessage('and what about Burundi?', { channelId: threadId });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(discord.requests.some((r) => r.body?.message_reference?.message_id === late.id)).toBe(false);
  });

  test('a message without a mention in a thread the bot has no part in is ignored', async () => {
    const other = discord.openThread('weekend plans');
    const message = discord.postMessage('and what about Togo?', { channelId: other });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(discord.requests.some((r) => r.path.startsWith(`/channels/${other}/`) || r.body?.message_reference?.message_id === message.id)).toBe(false);
  });

  test('a private /ask opens no thread and stays single-turn', async () => {
    const threadsBefore = discord.requests.filter((r) => r.path.endsWith('/threads')).length;
    await deferredReply(discord.slashCommand('ask', { question: 'What did Lavrov discuss in Mali?' }));
    const { edit } = await deferredReply(discord.slashCommand('ask', { question: 'and what about Togo?' }));
    expect(edit.body.embeds[0].title).toBe('and what about Togo?');
    expect(edit.body.embeds[0].description).not.toContain('Understood as');
    expect(discord.requests.filter((r) => r.path.endsWith('/threads')).length).toBe(threadsBefore);
  });

  test('/gaps is refused to a member without Manage Server', async () => {
    const attempt = discord.slashCommand('gaps', {}, discord.member);
    const reply = await discord.waitForRequest(isCallback(attempt));
    expect(reply.body.data.flags).toBe(64);
    expect(reply.body.data.content).toMatch(/Manage Server/);
  });

  test('/gaps shows an admin the not-found questions and the 👎 answers, grouped, with the closest documents', async () => {
    const { edit: answered } = await deferredReply(discord.slashCommand('ask', { question: 'How many troops does Russia have in Mali?' }));
    const downId: string = answered.body.components[0].components[1].custom_id;
    await discord.waitForRequest(isCallback(discord.clickButton({ ...answered.body, id: '2', channel_id: discord.channelId }, downId)));

    const { deferral, edit } = await deferredReply(discord.slashCommand('gaps', { since: '1h' }, discord.admin));
    expect(deferral.body.data.flags).toBe(64);
    const [embed] = edit.body.embeds;
    expect(embed.title).toBe('Unanswered questions, last 1h');
    const japan = embed.fields.find((f: { name: string }) => f.name.startsWith('japan —'));
    expect(japan.value).toContain('What did Lavrov discuss in Japan?');
    expect(japan.value).toMatch(/closest: .+\(`\d{3}_\w+\.txt`\)/);
    expect(embed.fields.some((f: { name: string; value: string }) => f.name.includes('1 👎') && f.value.includes('How many troops does Russia have in Mali?'))).toBe(true);
    expect(edit.body.allowed_mentions.parse).toEqual([]);
  });

  test('every command was logged with its latency, and the token never reached the logs', async () => {
    const handled = () => harness.logLines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'command handled');
    // The log line follows the last reply, so it may land just after the stand-in saw that reply.
    await vi.waitFor(() =>
      expect(handled().map((l) => l.command)).toEqual(
        expect.arrayContaining(['/ask', '/reindex', '/summary', '/sources', '/help', '/gaps', 'mention', 'button feedback']),
      ),
    );
    expect(handled().every((l) => typeof l.ms === 'number')).toBe(true);
    const everything = harness.logLines.join('\n');
    for (const part of TEST_TOKEN.split('.')) expect(everything).not.toContain(part);
  });
});
