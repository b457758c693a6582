/** Rebuilds the labelled sets under `<outDir>/<set>/` from git copies of their public repositories. */
import { loadClapnq } from './clapnq.js';
import { loadFresh } from './fresh.js';
import type { Part, TaskKind } from '../evaluate.js';
import { buildTasks, countTasks, writeSet, type LabelledSet } from './labelled-set.js';
import { loadQuail } from './quail.js';
import { loadSquad } from './squad.js';

export const LABELLED_SET_NAMES = ['squad', 'quail', 'fresh', 'clapnq'] as const;
export type LabelledSetName = (typeof LABELLED_SET_NAMES)[number];

export interface BuildOptions {
  /** Where the repositories' copies are (or, with `clone`, are to be cloned). */
  fromDir: string;
  clone?: boolean;
  outDir: string;
}

export interface BuildReport {
  name: LabelledSetName;
  dir: string;
  documents: number;
  removed: number;
  counts: Record<Part, Record<TaskKind, number>>;
  dropped: Record<string, number>;
}

function load(name: LabelledSetName, options: BuildOptions): Promise<LabelledSet> | LabelledSet {
  if (name === 'squad') return loadSquad(options.fromDir, options);
  if (name === 'quail') return loadQuail(options.fromDir, options);
  if (name === 'clapnq') return loadClapnq(options.fromDir, options);
  return loadFresh(options.fromDir, options);
}

export async function buildLabelledSets(names: readonly LabelledSetName[], options: BuildOptions, onNotice: (message: string) => void): Promise<BuildReport[]> {
  const reports: BuildReport[] = [];
  for (const name of names) {
    onNotice(`${name}: reading its sources…`);
    const set = await load(name, options);
    const built = buildTasks(set);
    const dir = await writeSet(options.outDir, set, built);
    const dropped: Record<string, number> = {};
    for (const d of built.dropped) dropped[d.reason] = (dropped[d.reason] ?? 0) + 1;
    reports.push({ name, dir, documents: built.corpus.length, removed: built.removed.length, counts: countTasks(built.tasks), dropped });
  }
  return reports;
}
