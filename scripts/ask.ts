/** `npm run ask -- "question"`: the product's main job from a terminal. Argument parsing and printing only. */
import { readFile } from 'node:fs/promises';
import { loadConfig } from '../src/config.js';
import type { Engine } from '../src/rag/engine.js';
import { InvalidQuestionError, UserFacingError } from '../src/rag/errors.js';
import { flagLine, type Answer } from '../src/rag/types.js';
import { command, notice, openEngine, parseArguments, runCli } from './cli.js';

function printAnswer(a: Answer): void {
  console.log(a.answer);
  if (a.note) console.log(`\nNote: ${a.note}`);
  if (a.citations.length) {
    console.log('\nSources:');
    for (const c of a.citations) console.log(`  [${c.n}] ${c.title} (${c.source})\n      “${c.quote}”`);
  }
  for (const f of a.flags) console.log(`\n${flagLine(f)}`);
}

async function batch(engine: Engine, file: string): Promise<void> {
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
    const { id: given, question } = item as { id?: unknown; question?: unknown };
    const id = given ?? n + 1;
    try {
      console.log(JSON.stringify({ id, ...(await engine.ask(String(question ?? ''))) }));
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
    .option('--batch <file>', 'answer every {"id","question"} JSON line of FILE, one JSON object per line');
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
