/**
 * An index disk that cannot be written: full to the last byte, or read-only, on a real small tmpfs (see
 * tests/support/small-disk.ts). With the corpus changed, `npm run ask` and the bot still answer from the intact
 * live index and say in one line why the change was not picked up; `npm run ingest` fails in one line, leaves no
 * lock behind, and the next ingest says the same instead of "another ingest is running".
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DiscordStandIn } from '../support/discord-standin.js';
import { CACHE_DIR, copyRealCorpus, liveBuild, MALI, MALI_QUESTION, REAL_CORPUS, useIngestScene } from '../support/hardening-fixtures.js';
import { smallDisksAvailable, spawnOnSmallDisk, type DiskState } from '../support/small-disk.js';

const scene = useIngestScene('disk', 0);

/** A copy of the real articles plus one new one: a corpus that changed since the template index was built. */
async function changedCorpus(): Promise<string> {
  const dir = join(scene.root, `corpus-${scene.nextTrial()}`);
  await copyRealCorpus(dir);
  await writeFile(join(dir, 'new-report.txt'), 'Lavrov met the foreign minister of Chad in Moscow on Friday to discuss grain deliveries.\n');
  return dir;
}

const CAUSE: Record<DiskState, string> = { full: 'the disk is full: ENOSPC', 'read-only': 'the disk is read-only: EROFS' };

describe.runIf(smallDisksAvailable())('an index disk that cannot be written', { timeout: 240_000 }, () => {
  test.each(['full', 'read-only'] as const)(
    '%s: npm run ask answers from the live index with one line saying why; npm run ingest fails in one line, twice, and leaves no lock',
    async (state) => {
      const mountPoint = await mkdtemp(join(scene.root, 'mnt-'));
      const indexDir = join(mountPoint, 'index');
      const run = spawnOnSmallDisk({
        mountPoint,
        indexTemplate: scene.template,
        state,
        env: { CACHE_DIR, CORPUS_DIR: await changedCorpus(), INDEX_DIR: indexDir },
        cwd: scene.root,
        runs: [['scripts/ask.ts', MALI_QUESTION], ['scripts/ingest.ts'], ['scripts/ingest.ts']],
        afterEach: `ls -A ${indexDir}`,
      });
      expect(await run.exited).toBe(0);
      // Each segment after the first opens with the exit code of the run before it, then `ls -A` of the index.
      const [ask, ...after] = run.out.stdout.split(/^=== exit /m);
      expect(after.map((segment) => segment.split('\n')[0])).toEqual(['0', '1', '1']);
      const askLines = ask!.trim().split('\n');
      expect(askLines[0]).toMatch(
        new RegExp(
          `^the corpus changed, but the index could not be updated: cannot write the index at ${indexDir} \\(${CAUSE[state]}\\); ` +
            'answering from the unchanged index of \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC$',
        ),
      );
      expect(ask).toContain(`(${MALI}, ¶ `);
      for (const ingest of after.slice(0, 2)) {
        expect(ingest.trim().split('\n')).toContain(`error: cannot write the index at ${indexDir} (${CAUSE[state]}); the index in use was not changed`);
        expect(ingest).not.toMatch(/another ingest|\n\s+at /);
      }
      // What `ls -A` printed after the second ingest: the live build and its link, no lock, no half build.
      const left = after[2]!.trim().split('\n').slice(1);
      expect(left.sort()).toEqual(['builds', 'current']);
    },
  );

  test.each(['full', 'read-only'] as const)(
    '%s, with damaged retrieval tables: npm run ask says they could not be stored, on a second line, and answers from them rebuilt in memory',
    async (state) => {
      const template = await scene.freshIndexCopy();
      const tables = join(await liveBuild(template), 'retrieval-tables.bin');
      const bytes = await readFile(tables);
      bytes[bytes.length >> 1]! ^= 0xff;
      await writeFile(tables, bytes);
      const mountPoint = await mkdtemp(join(scene.root, 'mnt-'));
      const indexDir = join(mountPoint, 'index');
      const run = spawnOnSmallDisk({
        mountPoint,
        indexTemplate: template,
        state,
        env: { CACHE_DIR, CORPUS_DIR: REAL_CORPUS, INDEX_DIR: indexDir },
        cwd: scene.root,
        runs: [['scripts/ask.ts', MALI_QUESTION]],
      });
      expect(await run.exited).toBe(0);
      expect(run.out.stderr.trim().split('\n')).toEqual([
        'the retrieval tables of the index are damaged (checksum mismatch); rebuilding them from the stored documents and storing them…',
        `the rebuilt retrieval tables could not be stored: cannot write the index at ${indexDir} (${CAUSE[state]})`,
      ]);
      expect(run.out.stdout).toContain(`(${MALI}, ¶ `);
    },
  );

  test('full: npm start starts, says in its log why the corpus change was not picked up, and answers /ask', async () => {
    const discord = await DiscordStandIn.start();
    try {
      const mountPoint = await mkdtemp(join(scene.root, 'mnt-'));
      const bot = spawnOnSmallDisk({
        mountPoint,
        indexTemplate: scene.template,
        state: 'full',
        env: {
          CACHE_DIR,
          CORPUS_DIR: await changedCorpus(),
          INDEX_DIR: join(mountPoint, 'index'),
          DATA_DIR: join(scene.root, `data-${scene.nextTrial()}`),
          DISCORD_TOKEN: 'MTk4NjIyNDgzNDcx.Gdisk.sigsigsig',
          DISCORD_API_URL: discord.apiUrl,
        },
        cwd: scene.root,
        runs: [['src/bot/main.ts']],
      });
      await discord.waitForSession(1, 60_000);
      const ask = discord.slashCommand('ask', { question: MALI_QUESTION });
      const edit = await discord.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(ask.token), 30_000);
      expect(edit.body.embeds[0].description).toContain(MALI);
      bot.child.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
      const messages = bot.out.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { msg: string }).msg);
      expect(messages).toContainEqual(expect.stringMatching(/^the corpus changed, but the index could not be updated: .*\(the disk is full: ENOSPC\); answering from the unchanged index of /));
      expect(bot.out.stderr).toBe('');
    } finally {
      await discord.close();
    }
  });
});
