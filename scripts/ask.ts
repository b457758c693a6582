/** `npm run ask -- "question"`: the product's main job from a terminal. Argument parsing and printing only. */
import { readFile } from 'node:fs/promises';
import { loadConfig } from '../src/config.js';
import type { Engine } from '../src/rag/engine.js';
import { InvalidQuestionError, UserFacingError } from '../src/rag/errors.js';
import { withTurn, type Turn } from '../src/rag/types.js';
import { command, notice, openEngine, parseArguments, runCli } from './cli.js';
import { printAnswer } from './print-answer.js';

/** Lines sharing a "conversation" value are one thread, answered in file order: each a follow-up of those before. */
async function batch(engine: Engine, file: string): Promise<void> {
  const conversations = new Map<string, Turn[]>();
  for (const [n, line] of (await readFile(file, 'utf8')).split('\n').entries()) {
    if (!line.trim()) continue;
    let item: unknown;
    try {
      item = JSON.parse(line);
    } catch {
      item = undefined;
    }
    // `null`, a number or a list parse as JSON but are not a question: reported, and the rest still answered.
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      notice(`${file}:${n + 1}: not a JSON object, skipped`);
      continue;
    }
    const { id: given, question, conversation: thread } = item as { id?: unknown; question?: unknown; conversation?: unknown };
    const id = given ?? n + 1;
    try {
      if (thread === undefined) {
        console.log(JSON.stringify({ id, ...(await engine.ask(String(question ?? ''))) }));
        continue;
      }
      const conversation = String(thread);
      const history = conversations.get(conversation) ?? [];
      const answer = await engine.ask(String(question ?? ''), { history });
      conversations.set(conversation, withTurn(history, answer));
      console.log(JSON.stringify({ id, conversation, ...answer, understood: answer.understood ?? answer.question }));
    } catch (e) {
      if (!(e instanceof UserFacingError)) throw e;
      console.log(JSON.stringify({ id, question, status: 'invalid', error: e.message }));
    }
  }
}

await runCli(async () => {
  const program = command('ask', 'Answer a question from the corpus, citing the passages used.')
    .argument('[question...]', 'the question')
    .option('--json', 'print one JSON object')
    .option('--batch <file>', 'answer every {"id","question"} JSON line of FILE, one JSON object per line; lines sharing a "conversation" are one thread');
  const exit = parseArguments(program);
  if (exit !== null) return exit;
  const options = program.opts<{ json?: boolean; batch?: string }>();
  const question = program.args.join(' ');
  if (!options.batch && !question.trim()) throw new InvalidQuestionError('the question is empty (usage: npm run ask -- "What did Lavrov discuss in Mali?")');
  const engine = await openEngine(loadConfig());
  if (options.batch) return void (await batch(engine, options.batch));
  const answer = await engine.ask(question);
  if (options.json) console.log(JSON.stringify(answer));
  else printAnswer(answer);
});
