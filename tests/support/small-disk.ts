/**
 * A real full or read-only disk for one child process: a small tmpfs mounted in a mount namespace of its own
 * (`unshare --map-root-user --mount`, which needs no privileges where user namespaces are allowed, and works as root),
 * filled to the last byte or remounted read-only before the program starts. Nothing outside the child sees it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot, type Spawned } from './spawn-ts.js';

export type DiskState = 'full' | 'read-only';

/** True when this machine lets a process mount a tmpfs in its own namespace. */
export function smallDisksAvailable(): boolean {
  const probe = spawnSync('unshare', ['--map-root-user', '--mount', 'sh', '-c', 'mount -t tmpfs -o size=1m tmpfs /mnt'], { encoding: 'utf8' });
  return probe.status === 0;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Runs the TypeScript entry points `runs` one after another (each `[script, ...args]`), as `npm run …` would, with
 * `mountPoint` a 64 MB tmpfs holding a copy of `indexTemplate` at `<mountPoint>/index`, then made `state`. With
 * several runs, each one's output (stdout and stderr together) ends with a line `=== exit <code>`, followed by the
 * output of `afterEach` (a shell command); a single run replaces the shell, so signals reach it and its streams
 * stay apart.
 */
export function spawnOnSmallDisk(options: {
  mountPoint: string;
  indexTemplate: string;
  state: DiskState;
  env: Record<string, string>;
  cwd: string;
  runs: string[][];
  afterEach?: string;
}): Spawned {
  const { mountPoint, indexTemplate, state, runs } = options;
  const loader = pathToFileURL(join(projectRoot, 'node_modules/tsx/dist/loader.mjs')).href;
  const node = (run: string[]) => [process.execPath, '--import', loader, join(projectRoot, run[0]!), ...run.slice(1)].map(quote).join(' ');
  const make =
    state === 'full'
      ? // Filled to the last block: head stops when the disk refuses more.
        `head -c 100000000 /dev/zero > ${quote(join(mountPoint, 'filler'))} 2>/dev/null || true`
      : `mount -o remount,ro ${quote(mountPoint)}`;
  const script = [
    'set -e',
    `mount -t tmpfs -o size=64m tmpfs ${quote(mountPoint)}`,
    `cp -a ${quote(indexTemplate)} ${quote(join(mountPoint, 'index'))}`,
    make,
    'set +e',
    ...(runs.length === 1
      ? [`exec ${node(runs[0]!)}`]
      : runs.flatMap((run) => [`${node(run)} 2>&1; echo "=== exit $?"`, ...(options.afterEach ? [options.afterEach] : [])])),
  ].join('\n');
  const child = spawn('unshare', ['--map-root-user', '--mount', 'sh', '-c', script], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, out, exited };
}
