/**
 * The team's workflow around an answer, on the real discord.js client and the real engine, against the loopback
 * Discord stand-in: sharing a private answer, asking about a message, 👎 with a reason, thread conversations per
 * person that survive a restart, adding articles from chat, and channel scopes.
 *
 * The corpus is the five seed articles sorted into two folders: africa/ (Burundi, the Central African Republic,
 * Togo, Mali) and europe/ (Russia and Belarus).
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DiscordStandIn, RecordedRequest, StandInUser } from '../support/discord-standin.js';
import { isCallback, isEdit, startHarness, type Harness, type InteractionRef } from '../support/bot-harness.js';
import { projectRoot, spawnTs } from '../support/spawn-ts.js';

const AFRICA = ['000_c2b3d48a19ad4320.txt', '001_e09e45f6e40bd673.txt', '002_b32f95e2bef2da54.txt', '004_51570dea19fac233.txt'];
const EUROPE = ['003_aed676f35e158f01.txt'];
const MALI = 'africa/004_51570dea19fac233.txt';
const TOGO = 'africa/002_b32f95e2bef2da54.txt';
const BELARUS = 'europe/003_aed676f35e158f01.txt';

const LAMU = Buffer.from(
  'Kenya Opens Deep-Water Port at Lamu\n\nPublished: 3 March 2024\n\nMOMBASA — Kenya opened a deep-water port at Lamu on Sunday, officials said. ' +
    'The port has three berths and handles container ships bound for Ethiopia and South Sudan. ' +
    'The opening ceremony was held on [insert date], according to the draft press release.\n',
);
const ESCAPE = Buffer.from(
  'Rwanda Plans a Cable Car in Kigali\n\nKIGALI — Rwanda plans a cable car linking two hills of Kigali, the city council said. ' +
    'The line would carry 3,000 passengers an hour when it opens.\n',
);

let workDir: string;
let corpusDir: string;
let env: Record<string, string>;
let harness: Harness;
let discord: DiscordStandIn;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'bot-workflow-'));
  corpusDir = join(workDir, 'corpus');
  for (const [folder, files] of [['africa', AFRICA], ['europe', EUROPE]] as const) {
    await mkdir(join(corpusDir, folder), { recursive: true });
    for (const file of files) await copyFile(join(projectRoot, 'corpus', file), join(corpusDir, folder, file));
  }
  env = { CORPUS_DIR: corpusDir, INDEX_DIR: join(workDir, 'index'), DATA_DIR: join(workDir, 'data') };
  harness = await startHarness(env);
  discord = harness.discord;
}, 120_000);

afterAll(async () => {
  await harness?.stop();
  await rm(workDir, { recursive: true, force: true });
});

const people = new Map<string, StandInUser>();
/** Another member of the guild, the same one each time for a name. */
function person(name: string): StandInUser {
  if (!people.has(name)) people.set(name, { ...discord.member, id: String(BigInt(discord.member.id) + 1000n + BigInt(people.size)), username: name });
  return people.get(name)!;
}

async function deferredReply(interaction: InteractionRef, timeoutMs = 20_000) {
  const edit = await discord.waitForRequest((r) => isEdit(interaction)(r) && (r.body.embeds?.length > 0 || !r.body.content?.endsWith('…')), timeoutMs, 'the edited reply');
  return { deferral: discord.requests.find(isCallback(interaction))!, edit };
}

/** The bot's reply to a message, in the channel or thread it was posted in. */
const replyTo = (message: { id: string }, channelId: string, timeoutMs = 20_000) =>
  discord.waitForRequest(
    (r) => r.method === 'POST' && r.path === `/channels/${channelId}/messages` && r.body?.message_reference?.message_id === message.id,
    timeoutMs,
    'the reply to a message',
  );

const buttonIds = (body: { components?: { components: { custom_id: string }[] }[] }) => (body.components ?? []).flatMap((row) => row.components.map((c) => c.custom_id));

/** Everything a payload shows: content, titles, descriptions, fields, choices. */
const shown = (r: RecordedRequest) => JSON.stringify(r.body);

describe('share a private answer with the channel', { timeout: 60_000 }, () => {
  test('the asker shares a private /ask once: the same answer posts publicly under their name and opens a thread; others cannot', async () => {
    const question = 'What did Lavrov discuss in Mali?';
    const ask = discord.slashCommand('ask', { question });
    const { deferral, edit } = await deferredReply(ask);
    expect(deferral.body.data.flags).toBe(64);
    const shareId = buttonIds(edit.body).find((id) => id.startsWith('share:'))!;
    expect(shareId).toBeDefined();
    const privateMessage = discord.originalMessage(ask)!;
    expect(privateMessage.flags).toBe(64);

    const stranger = discord.clickButton(privateMessage, shareId, person('stranger'));
    const refused = await discord.waitForRequest(isCallback(stranger));
    expect(refused.body).toMatchObject({ type: 4, data: { flags: 64, content: 'Only the person who asked can share this answer.' } });

    const click = discord.clickButton(privateMessage, shareId);
    const update = await discord.waitForRequest(isCallback(click));
    expect(update.body.type).toBe(7);
    expect(buttonIds(update.body.data)).toEqual([expect.stringMatching(/^feedback:up:/), expect.stringMatching(/^feedback:down:/)]);
    const posted = await discord.waitForRequest((r) => r.method === 'POST' && r.path === `/webhooks/${discord.applicationId}/${click.token}`);
    expect(posted.body.flags ?? 0).toBe(0);
    expect(posted.body.content).toBe(`📣 Shared by <@${discord.member.id}>`);
    expect(posted.body.allowed_mentions).toEqual({ parse: [], replied_user: false });
    // The same answer: title, text with its [n] markers, source lines and flags, and the 👍/👎 under it.
    expect(posted.body.embeds[0].title).toBe(question);
    expect(posted.body.embeds[0].description).toBe(edit.body.embeds[0].description);
    expect(posted.body.embeds[0].description).toContain(`\`${MALI}\``);
    expect(buttonIds(posted.body)).toEqual([expect.stringMatching(/^feedback:up:/), expect.stringMatching(/^feedback:down:/)]);

    const opened = await discord.waitForRequest((r) => r.method === 'POST' && /\/threads$/.test(r.path) && r.body?.name === question);
    expect(opened.path).toMatch(new RegExp(`^/channels/${discord.channelId}/messages/\\d+/threads$`));
    expect(discord.requests.indexOf(opened)).toBeGreaterThan(discord.requests.indexOf(posted));
    expect(opened.status).toBe(201);
    const threadId = [...discord.threads.values()].find((t) => t.name === question)!.id as string;

    // The shared answer is a conversation like a public /ask's: the asker's follow-up continues it.
    const followUp = discord.postMessage('and what about the Central African Republic?', { channelId: threadId });
    const reply = await replyTo(followUp, threadId);
    expect(reply.body.embeds[0].description).toContain('Understood as: What did Lavrov discuss in Central African Republic?');

    const again = discord.clickButton(privateMessage, shareId);
    expect((await discord.waitForRequest(isCallback(again))).body.data.content).toBe('This answer is already shared with the channel.');
  });

  test('a private /summary carries the button too, and shares its summary (no thread)', async () => {
    const summary = discord.slashCommand('summary', { source: TOGO });
    const { edit } = await deferredReply(summary);
    const shareId = buttonIds(edit.body).find((id) => id.startsWith('share:'))!;
    const threadsBefore = discord.threads.size;
    const click = discord.clickButton(discord.originalMessage(summary)!, shareId);
    const posted = await discord.waitForRequest((r) => r.method === 'POST' && r.path === `/webhooks/${discord.applicationId}/${click.token}`);
    expect(posted.body.embeds[0].title).toBe(edit.body.embeds[0].title);
    expect(posted.body.embeds[0].description).toBe(edit.body.embeds[0].description);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(discord.threads.size).toBe(threadsBefore);
  });
});

describe('"Ask the corpus" on a message', { timeout: 60_000 }, () => {
  test('a question someone posted is answered privately, with the share button', async () => {
    const message = discord.postMessage('What did Lavrov discuss in Mali?', { user: person('colleague'), dispatch: false });
    const menu = discord.messageCommand('Ask the corpus', message);
    const { deferral, edit } = await deferredReply(menu);
    expect(deferral.body).toEqual({ type: 5, data: { flags: 64 } });
    expect(edit.body.embeds[0].title).toBe('What did Lavrov discuss in Mali?');
    expect(edit.body.embeds[0].description).toContain(`\`${MALI}\``);
    expect(edit.body.embeds[0].description).not.toContain('claim');
    expect(buttonIds(edit.body)).toContainEqual(expect.stringMatching(/^share:/));
  });

  test('a statement is looked up as a claim, and the answer says so', async () => {
    const message = discord.postMessage('Russia is opening an embassy in Togo.', { user: person('colleague'), dispatch: false });
    const { edit } = await deferredReply(discord.messageCommand('Ask the corpus', message));
    expect(edit.body.embeds[0].description).toMatch(/^\*Not a question, so looked up as a claim/);
    expect(edit.body.embeds[0].description).toContain(`\`${TOGO}\``);
  });

  test('a message over the question limit gets one clear line', async () => {
    const message = discord.postMessage(`What did Lavrov discuss in Mali? ${'Background. '.repeat(210)}`, { user: person('colleague'), dispatch: false });
    const menu = discord.messageCommand('Ask the corpus', message);
    const reply = await discord.waitForRequest(isCallback(menu));
    expect(reply.body.type).toBe(4);
    expect(reply.body.data.flags).toBe(64);
    expect(reply.body.data.content).toMatch(/^That message is 2,\d{3} characters long; a question can be at most 2,000\./);
  });
});

describe('👎 asks what was wrong', { timeout: 120_000 }, () => {
  test('the reason typed in the form is shown beside the question by /gaps and by npm run gaps', async () => {
    const question = 'What is the population of Togo?';
    const ask = discord.slashCommand('ask', { question });
    const { edit } = await deferredReply(ask);
    const down = buttonIds(edit.body).find((id) => id.startsWith('feedback:down:'))!;
    const click = discord.clickButton(discord.originalMessage(ask)!, down);
    const form = await discord.modalFor(click);
    const input = form.components[0].components[0];
    expect(input).toMatchObject({ type: 4, style: 1, required: false, max_length: 300, label: 'What was wrong? (optional)' });

    const reason = 'the embassy article gives no population figure';
    const sent = discord.submitModal(form.custom_id, { [input.custom_id]: reason });
    const thanks = await discord.waitForRequest(isCallback(sent));
    expect(thanks.body.data).toMatchObject({ flags: 64, content: 'Thanks — your 👎 is noted, with what was wrong.' });

    const { edit: report } = await deferredReply(discord.slashCommand('gaps', { since: '1h' }, discord.admin));
    const field = report.body.embeds[0].fields.find((f: { value: string }) => f.value.includes(question));
    // Counted twice: not found when asked, then 👎.
    expect(field.value).toContain(`2× ${question} — 👎 “${reason}”`);

    const cli = spawnTs('scripts/gaps.ts', { ...env, CACHE_DIR: join(projectRoot, 'data/cache') }, workDir, ['--since', '1h']);
    expect(await cli.exited, cli.out.stderr).toBe(0);
    expect(cli.out.stdout).toContain(`2× ${question} — 👎 “${reason}”`);
  });
});

describe('thread conversations are kept per person, in DATA_DIR', { timeout: 120_000 }, () => {
  const firsts = [
    ['What did Lavrov discuss in Mali?', 'What did Lavrov discuss in Central African Republic?'],
    ['When did Lavrov arrive in Burundi?', 'When did Lavrov arrive in Central African Republic?'],
    ['Who did Lavrov meet in Mali?', 'Who did Lavrov meet in Central African Republic?'],
    ['What did Russia and Burundi agree on?', 'What did Russia and Central African Republic agree on?'],
    ['What cooperation did Russia offer Mali?', 'What cooperation did Russia offer Central African Republic?'],
    ['Where will the Togo embassy open?', 'Where will the Central African Republic embassy open?'],
  ] as const;
  let threadId: string;

  test('six people asking at once in one thread: each follow-up is read against its asker’s own question', async () => {
    const opening = 'What did Lavrov discuss in Burundi?';
    await deferredReply(discord.slashCommand('ask', { question: opening, public: true }));
    await discord.waitForRequest((r) => r.method === 'POST' && /\/threads$/.test(r.path) && r.body?.name === opening);
    threadId = [...discord.threads.values()].find((t) => t.name === opening)!.id as string;
    const people = firsts.map((_, i) => person(`reader${i}`));

    const asked = firsts.map(([question], i) => discord.postMessage(question, { channelId: threadId, user: people[i] }));
    await Promise.all(asked.map((m) => replyTo(m, threadId, 60_000)));
    const followUps = people.map((user) => discord.postMessage('and what about the Central African Republic?', { channelId: threadId, user }));
    const replies = await Promise.all(followUps.map((m) => replyTo(m, threadId, 60_000)));
    replies.forEach((reply, i) => expect(reply.body.embeds[0].description).toContain(`Understood as: ${firsts[i]![1]}`));
  });

  test('after a restart the bot goes on in the thread where each person stopped', async () => {
    await harness.restartBot();
    const stored = JSON.parse(await readFile(join(harness.dataDir, 'threads.json'), 'utf8'));
    expect(Object.keys(stored.threads[threadId].people)).toHaveLength(7);
    expect((await readdir(harness.dataDir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    // reader0's last question was about the Central African Republic: "and in Mali?" swaps that place.
    const again = discord.postMessage('and in Mali?', { channelId: threadId, user: person('reader0') });
    expect((await replyTo(again, threadId)).body.embeds[0].description).toContain('Understood as: What did Lavrov discuss in Mali?');
    // Someone new to the thread continues the question that opened it.
    const newcomer = discord.postMessage('and in Mali?', { channelId: threadId, user: person('newcomer') });
    const reply = await replyTo(newcomer, threadId);
    expect(reply.body.embeds[0].description).toContain('Understood as: What did Lavrov discuss in Mali?');
    expect(reply.body.embeds[0].description).toContain(`\`${MALI}\``);
  });
});

describe('/add: articles from chat', { timeout: 120_000 }, () => {
  test('a member without Manage Server is refused, and nothing is fetched', async () => {
    const attempt = discord.slashCommand('add', {}, discord.member, { files: { file: { filename: 'lamu.txt', bytes: LAMU } } });
    const reply = await discord.waitForRequest(isCallback(attempt));
    expect(reply.body).toMatchObject({ type: 4, data: { flags: 64, content: expect.stringMatching(/^Only members with Manage Server .* can add articles\.$/) } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(discord.requests.some((r) => r.path.startsWith('/attachments/'))).toBe(false);
  });

  test('a good file is added and cited; too large, binary and lying files are refused; a traversal name is made safe', async () => {
    const sixMegabytes = Buffer.alloc(6 * 1024 * 1024, 'a');
    const add = discord.slashCommand('add', { folder: 'kenya' }, discord.admin, {
      files: {
        file: { filename: 'lamu.txt', bytes: LAMU },
        file2: { filename: 'dump.txt', bytes: sixMegabytes },
        file3: { filename: 'logo.txt', bytes: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x1a, 0x0a]) },
        file4: { filename: '../../escape.txt', bytes: ESCAPE },
        // Claims 2 KB, sends 6 MB: cut off at the cap while it arrives.
        file5: { filename: 'liar.txt', bytes: sixMegabytes, size: 2048 },
      },
    });
    const final = await discord.waitForRequest((r) => isEdit(add)(r) && r.body.embeds?.length > 0, 90_000, 'the /add report');
    const progress = discord.requests.filter((r) => isEdit(add)(r) && r !== final);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0]!.body.content).toMatch(/^Fetching lamu\.txt \(1\/5\)…$/);

    const description: string = final.body.embeds[0].description;
    const lines = description.split('\n');
    expect(final.body.embeds[0].title).toBe('Added to the corpus');
    expect(lines[0]).toMatch(/^2 added, 3 refused in \d+\.\d s; questions were answered from the previous index meanwhile/);
    expect(description).toContain('✅ `kenya/lamu.txt` — “Kenya Opens Deep-Water Port at Lamu” · 2024-03-03 · 1 chunk · ⚠ 1 placeholder: [insert date]');
    expect(description).toContain('⛔ `dump.txt` — refused: too large (6.0 MB; the limit is 5 MB)');
    expect(description).toContain('⛔ `logo.txt` — refused: binary file (contains NUL bytes)');
    expect(lines.find((l) => l.includes('escape.txt'))).toMatch(/^✅ `kenya\/escape\.txt` — “Rwanda Plans a Cable Car in Kigali”/);
    expect(description).toContain('⛔ `liar.txt` — refused: too large (more than 5.0 MB; the limit is 5.0 MB)');
    // The declared 6 MB file was refused before any download.
    expect(discord.requests.some((r) => r.path.endsWith('/dump.txt'))).toBe(false);

    expect((await readdir(join(corpusDir, 'kenya'))).sort()).toEqual(['escape.txt', 'lamu.txt']);
    expect(await readdir(corpusDir)).not.toContain('escape.txt');
    expect(await readdir(workDir)).not.toContain('escape.txt');

    const { edit } = await deferredReply(discord.slashCommand('ask', { question: 'How many berths does the Lamu port have?' }));
    expect(edit.body.embeds[0].description).toContain('`kenya/lamu.txt`');
  });

  test('the same text under another name, and a name already taken, are refused with the reason', async () => {
    const add = discord.slashCommand('add', { folder: 'kenya' }, discord.admin, {
      files: {
        file: { filename: 'lamu-copy.txt', bytes: LAMU },
        file2: { filename: 'lamu.txt', bytes: ESCAPE.subarray(0, 120) },
      },
    });
    const final = await discord.waitForRequest((r) => isEdit(add)(r) && r.body.embeds?.length > 0, 60_000, 'the /add report');
    expect(final.body.embeds[0].title).toBe('Nothing added');
    const description: string = final.body.embeds[0].description;
    expect(description).toContain('⛔ `lamu-copy.txt` — refused: the same text as kenya/lamu.txt, which is already in the corpus');
    expect(description).toContain('⛔ `lamu.txt` — refused: a file named kenya/lamu.txt is already in the corpus (add it with replace:true to overwrite it)');
  });
});

describe('channel scopes', { timeout: 120_000 }, () => {
  test('/scope from a member without Manage Server is refused', async () => {
    const attempt = discord.slashCommand('scope', { folders: 'africa' }, discord.member, { subcommand: 'set' });
    const reply = await discord.waitForRequest(isCallback(attempt));
    expect(reply.body).toMatchObject({ type: 4, data: { flags: 64, content: expect.stringMatching(/Manage Server/) } });
  });

  test('an admin scopes a channel to africa and a category to europe; the map is kept in DATA_DIR', async () => {
    const africa = discord.slashCommand('scope', { folders: 'africa' }, discord.admin, { subcommand: 'set', channelId: discord.secondChannelId });
    expect((await discord.waitForRequest(isCallback(africa))).body.data.content).toBe(`<#${discord.secondChannelId}> now answers only from \`africa\` (4 documents).`);
    const europe = discord.slashCommand('scope', { folders: 'europe' }, discord.admin, { subcommand: 'set', channels: { channel: discord.categoryId } });
    expect((await discord.waitForRequest(isCallback(europe))).body.data.content).toBe('the category Europe now answers only from `europe` (1 document).');
    const show = discord.slashCommand('scope', {}, discord.admin, { subcommand: 'show', channelId: discord.categorizedChannelId });
    expect((await discord.waitForRequest(isCallback(show))).body.data.content).toBe(
      `<#${discord.categorizedChannelId}> has no scope of its own; its category limits it to \`europe\`.`,
    );
    const stored = JSON.parse(await readFile(join(harness.dataDir, 'scopes.json'), 'utf8'));
    expect(stored.places[discord.secondChannelId].folders).toEqual(['africa']);
    expect(stored.places[discord.categoryId]).toMatchObject({ kind: 'category', folders: ['europe'] });
  });

  test('a channel in the europe category never sees an africa document: answers, citations, closest documents, lists, autocomplete', async () => {
    const where = { channelId: discord.categorizedChannelId };
    const { edit: mali } = await deferredReply(discord.slashCommand('ask', { question: 'What did Lavrov discuss in Mali?' }, discord.member, where));
    expect(mali.body.embeds[0].description).toMatch(/could not find/i);
    expect(mali.body.embeds[0].description).toContain('The closest the corpus comes: “Russia And Belarus Deepen Strategic Cooperation');
    expect(mali.body.embeds[0].description).toContain(`(${BELARUS.replaceAll('_', '\\_')})`);
    expect(shown(mali)).not.toMatch(/africa\/|kenya\//);

    const { edit: treaty } = await deferredReply(discord.slashCommand('ask', { question: 'When was the Union State Treaty signed?' }, discord.member, where));
    expect(treaty.body.embeds[0].description).toContain(`\`${BELARUS}\``);

    const choices = discord.autocomplete('summary', { name: 'source', value: '' }, discord.member, where);
    expect((await discord.waitForRequest(isCallback(choices))).body.data.choices.map((c: { value: string }) => c.value)).toEqual([BELARUS]);

    const { edit: sources } = await deferredReply(discord.slashCommand('sources', {}, discord.member, where));
    expect(sources.body.embeds[0].title).toBe('Indexed documents (1)');

    const { edit: topic } = await deferredReply(discord.slashCommand('summary', { topic: 'military cooperation' }, discord.member, where));
    expect(shown(topic)).toContain(BELARUS);
    expect(shown(topic)).not.toMatch(/africa\/|kenya\//);

    const { edit: unknown } = await deferredReply(discord.slashCommand('summary', { source: MALI }, discord.member, where));
    expect(unknown.body.content).toMatch(/^Sorry — no indexed document named africa\/004\\_51570dea19fac233\.txt/);
  });

  test('in the africa channel, its thread follow-ups and mentions stay in africa too; /gaps there shows its own gaps', async () => {
    const where = { channelId: discord.secondChannelId };
    const { edit: treaty } = await deferredReply(discord.slashCommand('ask', { question: 'When was the Union State Treaty signed?' }, discord.member, where));
    expect(treaty.body.embeds[0].description).toMatch(/could not find/i);
    expect(shown(treaty)).not.toMatch(/europe\/|kenya\//);
    expect(shown(treaty)).toMatch(/africa\//);

    const opening = 'Who did Lavrov meet in Mali?';
    await deferredReply(discord.slashCommand('ask', { question: opening, public: true }, discord.member, where));
    await discord.waitForRequest((r) => r.method === 'POST' && r.path.startsWith(`/channels/${discord.secondChannelId}/messages/`) && /\/threads$/.test(r.path));
    const threadId = [...discord.threads.values()].find((t) => t.name === opening && t.parent_id === discord.secondChannelId)!.id as string;
    const followUp = discord.postMessage('and what about the Union State Treaty with Belarus?', { channelId: threadId });
    const reply = await replyTo(followUp, threadId);
    expect(shown(reply)).not.toMatch(/europe\/|kenya\//);

    const mention = discord.postMessage(`<@${discord.bot.id}> how many berths does the Lamu port have?`, { mentionBot: true, channelId: discord.secondChannelId });
    const answered = await replyTo(mention, discord.secondChannelId);
    expect(answered.body.embeds[0].description).toMatch(/could not find/i);
    expect(shown(answered)).not.toMatch(/europe\/|kenya\//);

    const { edit: gaps } = await deferredReply(discord.slashCommand('gaps', { since: '1h' }, discord.admin, where));
    const listed = shown(gaps);
    expect(listed).toContain('When was the Union State Treaty signed?');
    expect(listed).not.toContain('What did Lavrov discuss in Mali?');
    expect(listed).not.toMatch(/europe\/|kenya\//);
    const { edit: everywhere } = await deferredReply(discord.slashCommand('gaps', { since: '1h' }, discord.admin));
    expect(shown(everywhere)).toContain('What did Lavrov discuss in Mali?');
  });

  test('/scope clear opens the channel to the whole corpus again', async () => {
    const clear = discord.slashCommand('scope', {}, discord.admin, { subcommand: 'clear', channelId: discord.secondChannelId });
    expect((await discord.waitForRequest(isCallback(clear))).body.data.content).toBe(`<#${discord.secondChannelId}> answers from the whole corpus again.`);
    const { edit } = await deferredReply(discord.slashCommand('sources', {}, discord.member, { channelId: discord.secondChannelId }));
    expect(edit.body.embeds[0].title).toBe('Indexed documents (7)');
  });
});
