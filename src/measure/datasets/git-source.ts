/**
 * Public data sets are read from a git copy of their repository at a pinned commit, never from a download of the
 * files themselves, so a rebuilt set is byte for byte the one measured. A copy is a clone or mirror found under a
 * directory (`--from`), or, with `--clone` on a machine with internet, a fresh `git clone` into that directory.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserFacingError } from '../../rag/errors.js';

/** A data set's origin: the GitHub repository, the commit its figures were measured at, and its licence. */
export interface GitOrigin {
  repo: string;
  commit: string;
  licence: string;
}

/** A repository copy cannot be found or read. */
export class DataSourceError extends UserFacingError {}

/** Large enough for the biggest file a set reads (QuAIL's dev XML, 1.1 MB) many times over. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

function git(args: string[]): Buffer {
  return execFileSync('git', args, { maxBuffer: MAX_FILE_BYTES, stdio: ['ignore', 'pipe', 'pipe'] });
}

function holdsCommit(dir: string, commit: string): boolean {
  try {
    git(['-C', dir, 'cat-file', '-e', `${commit}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where `repo` ("owner/name") is kept under `fromDir`: the layouts of the workplace mirror (`owner+name/repo`),
 * of a directory of clones (`name`, `owner/name`), or the clone this module makes (`owner+name`). The copy must
 * hold `commit`.
 */
export function locateRepository(fromDir: string, origin: GitOrigin, options: { clone?: boolean } = {}): string {
  const [owner, name] = origin.repo.split('/') as [string, string];
  const flat = `${owner}+${name}`;
  const candidates = [join(fromDir, flat, 'repo'), join(fromDir, flat), join(fromDir, name), join(fromDir, owner, name)];
  const found = candidates.find((dir) => existsSync(dir) && holdsCommit(dir, origin.commit));
  if (found) return found;
  if (!options.clone) {
    throw new DataSourceError(
      `no copy of ${origin.repo} holding commit ${origin.commit.slice(0, 12)} under ${fromDir} (looked for ${flat}/repo, ${flat}, ${name}, ${owner}/${name}); clone it there or add --clone`,
    );
  }
  const target = join(fromDir, flat);
  if (existsSync(target)) throw new DataSourceError(`${target} exists but does not hold commit ${origin.commit.slice(0, 12)} of ${origin.repo}`);
  try {
    git(['clone', '--quiet', '--no-checkout', `https://github.com/${origin.repo}.git`, target]);
  } catch (e) {
    throw new DataSourceError(`git clone of ${origin.repo} failed: ${String((e as { stderr?: Buffer }).stderr ?? e).trim().split('\n')[0]}`);
  }
  if (!holdsCommit(target, origin.commit)) throw new DataSourceError(`the clone of ${origin.repo} does not hold commit ${origin.commit.slice(0, 12)}`);
  return target;
}

/** A file of the repository copy at the pinned commit. */
export function readAtCommit(dir: string, origin: GitOrigin, path: string): Buffer {
  try {
    return git(['-C', dir, 'show', `${origin.commit}:${path}`]);
  } catch {
    throw new DataSourceError(`${origin.repo} has no ${path} at commit ${origin.commit.slice(0, 12)}`);
  }
}
