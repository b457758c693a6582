/**
 * `npm run stress:kills -- [--rounds N] [--bulletins B]`: issue 20's loop, as an admin's careless hands would run it.
 * Each round starts `npm run ingest` on a corpus that changed since the last round, kills it with SIGKILL at a random
 * moment of its run (loading, parsing, embedding, writing, linking), then runs `npm run ask` (which finds the corpus
 * changed and re-ingests) and `npm run ingest` again. Every answer must cite the right article, no run may be refused
 * ("another ingest is running") or fail, and the index directory must hold only the live build afterwards.
 * Prints one line per round and a verdict; exits 1 when any round failed.
 */
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { command, notice, parseArguments, runCli, wholeNumber } from '../../scripts/cli.js';
import { addBulletins, CACHE_DIR, copyRealCorpus, MALI, MALI_QUESTION, tempDir } from '../support/hardening-fixtures.js';
import { spawnTs, type Spawned } from '../support/spawn-ts.js';

const finished = async (run: Spawned) => ({ code: await run.exited, ...run.out });

await runCli(async () => {
  const program = command('stress:kills', 'Kill ingests at random moments, then ask and ingest; report whether every answer was right.')
    .option('--rounds <n>', 'kills', wholeNumber, 20)
    .option('--bulletins <n>', 'generated articles besides the five real ones', wholeNumber, 60);
  const exit = parseArguments(program);
  if (exit !== null) return exit;
  const { rounds, bulletins } = program.opts<{ rounds: number; bulletins: number }>();
  const root = await tempDir('kill-loop');
  const corpus = join(root, 'corpus');
  const env = { CACHE_DIR, CORPUS_DIR: corpus, INDEX_DIR: join(root, 'index') };
  const ingest = () => spawnTs('scripts/ingest.ts', env, root);
  try {
    await copyRealCorpus(corpus);
    await addBulletins(corpus, bulletins);
    notice(`kill loop: ${rounds} rounds over ${bulletins + 5} articles in ${root}`);
    const first = await finished(ingest());
    if (first.code !== 0) throw new Error(`the first ingest failed: ${first.stderr.trim()}`);
    // How long an ingest with one changed document takes here: kills fall anywhere from its start to past its end.
    await writeFile(join(corpus, 'changing.txt'), 'Round 0: Lavrov met Diop in Moscow.\n');
    const timed = performance.now();
    await finished(ingest());
    const span = performance.now() - timed;
    let failures = 0;
    for (let round = 1; round <= rounds; round++) {
      await writeFile(join(corpus, 'changing.txt'), `Round ${round}: Lavrov met Diop in Moscow and they spoke of grain.\n`);
      const killAt = Math.round(Math.random() * span * 1.1);
      const killed = ingest();
      await new Promise((resolve) => setTimeout(resolve, killAt));
      killed.child.kill('SIGKILL');
      const killedCode = await killed.exited;
      const asked = await finished(spawnTs('scripts/ask.ts', env, root, [MALI_QUESTION]));
      const again = await finished(ingest());
      const left = (await readdir(env.INDEX_DIR)).sort().join(' ');
      const problems = [
        asked.code !== 0 && `ask exited ${asked.code}: ${asked.stderr.trim().split('\n').at(-1)}`,
        !asked.stdout.includes(`(${MALI}, ¶ `) && 'ask did not cite the Mali article',
        /another ingest|error/.test(asked.stderr) && `ask said: ${asked.stderr.trim()}`,
        again.code !== 0 && `ingest exited ${again.code}: ${again.stderr.trim().split('\n').at(-1)}`,
        left !== 'builds current' && `index directory holds: ${left}`,
        (await readdir(join(env.INDEX_DIR, 'builds'))).length !== 1 && 'more than one build left',
      ].filter(Boolean);
      if (problems.length) failures++;
      console.log(
        `round ${String(round).padStart(2)}: killed at ${String(killAt).padStart(5)} ms (${killedCode === null ? 'killed' : `had exited ${killedCode}`}); ` +
          `ask ${asked.code === 0 ? 'ok' : 'FAILED'}${asked.stderr.trim() ? ` (${asked.stderr.trim().split('\n')[0]})` : ''}; ingest ${again.code === 0 ? 'ok' : 'FAILED'}` +
          (problems.length ? ` — ${problems.join('; ')}` : ''),
      );
    }
    console.log(`\n${rounds - failures} of ${rounds} rounds right: every answer cited ${MALI}, no run refused, one build left`);
    return failures ? 1 : 0;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
