/** Runs one of the project's entry points in a child process, as `npm start` / `npm run …` would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const projectRoot = resolve(import.meta.dirname, '../..');

export interface Spawned {
  child: ChildProcess;
  out: { stdout: string; stderr: string };
  exited: Promise<number | null>;
}

/**
 * Starts `node <args>` with only PATH and `env` in its environment, in `cwd` (pick an empty directory so a
 * developer's own .env is not read).
 */
export function spawnNode(args: string[], env: Record<string, string>, cwd: string): Spawned {
  const child = spawn(process.execPath, args, { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, out, exited };
}

/** `node --import tsx <script> [args]`: a TypeScript entry point run from its source, as spawnNode runs it. */
export function spawnTs(script: string, env: Record<string, string>, cwd: string, args: string[] = []): Spawned {
  return spawnNode(['--import', pathToFileURL(join(projectRoot, 'node_modules/tsx/dist/loader.mjs')).href, join(projectRoot, script), ...args], env, cwd);
}
