/**
 * `npm run chat`: one conversation from the terminal. Each line read from stdin is a question, and each a follow-up
 * of those before it, as in a Discord thread. Argument parsing and printing only.
 */
import { createInterface } from 'node:readline';
import { loadConfig } from '../src/config.js';
import { Engine } from '../src/rag/engine.js';
import { UserFacingError } from '../src/rag/errors.js';
import { withTurn, type Turn } from '../src/rag/types.js';
import { command, notice, parseArguments, runCli } from './cli.js';
import { printAnswer } from './print-answer.js';

await runCli(async () => {
  const program = command('chat', 'Answer questions read one per line from stdin as one conversation: later ones may lean on earlier ones.');
  const exit = parseArguments(program);
  if (exit !== null) return exit;
  const engine = await Engine.open(loadConfig(), { autoIngest: true, onNotice: notice });
  const interactive = process.stdin.isTTY;
  if (interactive) notice('Ask a question; follow-ups may say "and what about…?" or "when was that?". Ctrl-D ends.');
  let history: Turn[] = [];
  let first = true;
  for await (const line of createInterface({ input: process.stdin, terminal: false })) {
    if (!line.trim()) continue;
    if (!first) console.log(`\n${'─'.repeat(60)}\n`);
    first = false;
    if (!interactive) console.log(`> ${line.trim()}\n`);
    try {
      const answer = await engine.ask(line, { history });
      history = withTurn(history, answer);
      printAnswer(answer);
    } catch (e) {
      // One bad line ends neither the conversation nor the program.
      if (!(e instanceof UserFacingError)) throw e;
      console.log(`Sorry — ${e.message}.`);
    }
  }
});
