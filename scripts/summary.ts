/** `npm run summary -- --source FILE | --topic TEXT | --list`: extractive, cited summaries from a terminal. */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { loadConfig } from '../src/config.js';
import { InvalidQuestionError } from '../src/rag/errors.js';
import { citationMarks, flagLine, type DocumentRef } from '../src/rag/types.js';
import { command, openEngine, parseArguments, runCli } from './cli.js';

/** Further articles of a topic named by title; the rest are counted. */
const MORE_NAMED = 5;

/**
 * The corpus name of `--source`: a path into the corpus folder as a shell completes it (`corpus/000_….txt`,
 * `./corpus/…`, an absolute path) names the file it points at; anything else is taken as the name itself.
 */
function sourceName(given: string, corpusDir: string): string {
  const inCorpus = relative(resolve(corpusDir), resolve(given));
  const inside = inCorpus !== '' && !inCorpus.startsWith(`..${sep}`) && inCorpus !== '..' && !isAbsolute(inCorpus);
  return inside ? inCorpus.split(sep).join('/') : given;
}

await runCli(async () => {
  const program = command('summary', 'Summarize one document or a topic, citing the sentences used.')
    .option('--source <file>', 'a document of the corpus, by file name or path')
    .option('--topic <text>', 'a topic to summarize across the corpus')
    .option('--list', 'list the indexed documents')
    .option('--json', 'print one JSON object');
  const exit = parseArguments(program);
  if (exit !== null) return exit;
  const o = program.opts<{ source?: string; topic?: string; list?: boolean; json?: boolean }>();
  if ([o.source, o.topic, o.list].filter(Boolean).length !== 1) {
    throw new InvalidQuestionError('give exactly one of --source FILE, --topic TEXT or --list');
  }
  const config = loadConfig();
  const engine = await openEngine(config);
  if (o.list) {
    const sources = await engine.sources();
    if (o.json) console.log(JSON.stringify(sources));
    else for (const s of sources) console.log(`${s.source} — “${s.title}” (${s.chunks} chunks${s.placeholders.length ? `, ${s.placeholders.length} placeholder(s)` : ''})`);
    return;
  }
  const summary = await engine.summarize(o.source ? { source: sourceName(o.source, config.corpusDir) } : { topic: o.topic! });
  if (o.json) return void console.log(JSON.stringify(summary));
  const withDate = (d: DocumentRef) => `${d.title}${d.date ? `, ${d.date}` : ''} (${d.source})`;
  console.log(summary.summary || 'Nothing in the corpus is about this topic.');
  if (summary.more.length) {
    const named = summary.more.slice(0, MORE_NAMED).map((d) => `“${d.title}” (${d.source})`);
    const others = summary.more.length - named.length;
    console.log(`…and ${summary.more.length} more: ${named.join('; ')}${others ? `; and ${others} others` : ''}.`);
    console.log('   npm run summary -- --source FILE summarises one; npm run summary -- --list lists every document.');
  }
  if (summary.documents.length) console.log('\nSources:');
  for (const d of summary.documents) console.log(`  ${citationMarks(d.citations)} ${withDate(d)}`);
  for (const f of summary.flags) console.log(flagLine(f));
});
