/**
 * `npm run eval:sets -- --from DIR [--clone] [--set squad|quail|fresh|clapnq|all] [--out DIR]`: rebuild the labelled sets
 * (SQuAD, QuAIL, the fresh real-news set, CLAPnq) from git copies of their public repositories. Arguments and printing only.
 */
import { join } from 'node:path';
import { Option } from 'commander';
import { loadConfig } from '../src/config.js';
import { buildLabelledSets, LABELLED_SET_NAMES, type LabelledSetName } from '../src/measure/datasets/build.js';
import { PARTS, TASK_KINDS } from '../src/measure/evaluate.js';
import { command, EXIT_INVALID, notice, parseArguments, runCli, table } from './cli.js';

await runCli(async () => {
  const program = command('eval:sets', 'Rebuild the labelled evaluation sets from git copies of their public repositories.')
    .option('--from <dir>', 'where the repositories are kept (a mirror or clone per repository)', 'data/sources')
    .option('--clone', 'git clone a repository that is not under --from (needs internet)')
    .addOption(new Option('--set <name>', 'which set').choices([...LABELLED_SET_NAMES, 'all']).default('all'))
    .option('--out <dir>', 'where the sets are written (default: DATA_DIR/eval-sets)')
    .option('--json', 'print one JSON object');
  const exit = parseArguments(program);
  if (exit !== null) return exit;
  if (program.args.length) {
    notice(`error: unexpected argument ${program.args[0]} (usage: npm run eval:sets -- --from DIR [--clone] [--set NAME] [--out DIR])`);
    return EXIT_INVALID;
  }
  const options = program.opts<{ from: string; clone?: boolean; set: LabelledSetName | 'all'; out?: string; json?: boolean }>();
  const names = options.set === 'all' ? LABELLED_SET_NAMES : [options.set];
  const outDir = options.out ?? join(loadConfig().dataDir, 'eval-sets');
  const reports = await buildLabelledSets(names, { fromDir: options.from, clone: options.clone, outDir }, notice);
  if (options.json) {
    console.log(JSON.stringify(reports));
    return 0;
  }
  for (const r of reports) {
    console.log(`${r.name}: ${r.dir} (${r.documents} documents in the corpus, ${r.removed} removed)`);
    console.log(
      table(
        [['part', ...TASK_KINDS], ...PARTS.map((p) => [p, ...TASK_KINDS.map((k) => String(r.counts[p][k]))])],
        { figures: true },
      ),
    );
    for (const [reason, n] of Object.entries(r.dropped)) console.log(`dropped ${n}: ${reason}`);
    console.log('');
  }
  return 0;
});
