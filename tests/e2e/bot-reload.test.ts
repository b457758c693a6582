/** An index rebuilt from the shell with `npm run ingest` is picked up by the running bot without a restart. */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { isEdit, startHarness, type Harness } from '../support/bot-harness.js';
import { projectRoot, spawnTs } from '../support/spawn-ts.js';

let harness: Harness;
let workDir: string;
let corpusDir: string;
let indexDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'bot-reload-'));
  corpusDir = join(workDir, 'corpus');
  indexDir = join(workDir, 'index');
  await cp(join(projectRoot, 'corpus'), corpusDir, { recursive: true });
  harness = await startHarness({ CORPUS_DIR: corpusDir, INDEX_DIR: indexDir });
}, 60_000);

afterAll(async () => {
  await harness?.stop();
  await rm(workDir, { recursive: true, force: true });
});

test('after npm run ingest adds a document, SIGHUP-style refresh switches the bot to it', { timeout: 60_000 }, async () => {
  const { discord, bot } = harness;
  await writeFile(
    join(corpusDir, '005_kenya_port.txt'),
    'Kenya Opens Deep-Water Port at Lamu\n\nKenya opened a deep-water port at Lamu on March 3, officials said. ' +
      'The port has three berths and handles container ships bound for Ethiopia and South Sudan.\n',
  );
  const ingest = spawnTs('scripts/ingest.ts', { CORPUS_DIR: corpusDir, INDEX_DIR: indexDir }, workDir);
  expect(await ingest.exited, ingest.out.stderr).toBe(0);

  expect(await bot.refreshIndex()).toBe(true);
  expect(harness.logLines.some((l) => l.includes('picked up a newer index'))).toBe(true);

  const ask = discord.slashCommand('ask', { question: 'How many berths does the Lamu port have?' });
  const edit = await discord.waitForRequest(isEdit(ask), 10_000);
  expect(edit.body.embeds[0].description).toContain('005_kenya_port.txt');
});
