/**
 * `npm run bench:bot -- [--concurrent N] [--rounds R] [--json]`: N users send /ask at the same moment to the real bot
 * (real discord.js client, real engine over corpus/) on the loopback Discord stand-in of the tests; prints the time
 * from each command to its answer (the edit of the deferred reply) reaching Discord, and how many were answered.
 */
import { latency } from '../../src/measure/benchmark.js';
import { command, notice, parseArguments, runCli, wholeNumber } from '../../scripts/cli.js';
import { isEdit, startHarness } from '../support/bot-harness.js';

const QUESTIONS = ['What did Lavrov discuss in Mali?', 'When did Lavrov arrive in Burundi?', 'What did Russia and Togo announce?'];


await runCli(async () => {
  const program = command('bench:bot', 'Concurrent /ask through the real bot on a loopback Discord: latency and losses.')
    .option('--concurrent <n>', 'users asking at the same moment', wholeNumber, 50)
    .option('--rounds <n>', 'bursts to send, one after another', wholeNumber, 3)
    .option('--json', 'print one JSON object');
  const exit = parseArguments(program);
  if (exit !== null) return exit;
  const { concurrent, rounds, json } = program.opts<{ concurrent: number; rounds: number; json?: boolean }>();

  notice('bench: starting the bot on a loopback Discord (builds a temporary index)…');
  const harness = await startHarness();
  const { discord } = harness;
  const samples: number[] = [];
  let sent = 0;
  let answered = 0;
  try {
    for (let round = 0; round < rounds; round++) {
      const asks = Array.from({ length: concurrent }, (_, i) => {
        const user = { ...discord.member, id: `${discord.member.id.slice(0, -4)}${String(1000 + i)}` };
        return { ask: discord.slashCommand('ask', { question: QUESTIONS[i % QUESTIONS.length]! }, user), sentAt: performance.now() };
      });
      sent += asks.length;
      const results = await Promise.allSettled(
        asks.map(async ({ ask, sentAt }) => {
          await discord.waitForRequest(isEdit(ask), 60_000);
          samples.push(performance.now() - sentAt);
        }),
      );
      answered += results.filter((r) => r.status === 'fulfilled').length;
      notice(`bench: burst ${round + 1}/${rounds} done`);
    }
  } finally {
    await harness.stop();
  }
  const result = { concurrent, rounds, sent, answered, lost: sent - answered, latencyMs: latency(samples) };
  if (json) console.log(JSON.stringify(result));
  else {
    const l = result.latencyMs;
    console.log(`${concurrent} concurrent /ask × ${rounds} bursts: ${answered}/${sent} answered, ${result.lost} lost`);
    console.log(`command → answer at Discord: p50 ${l.p50} ms · p95 ${l.p95} ms · p99 ${l.p99} ms · max ${l.max} ms`);
  }
  return result.lost ? 1 : 0;
});
