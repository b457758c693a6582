/**
 * A real Chroma server from the project's own node_modules (the CLI `npx chroma run` starts), on a free loopback
 * port with a temporary data directory. It can be stopped and started again on the same port and data, as an
 * outage looks to the bot. The Chroma tests start theirs with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The package's entry is dist/chromadb.mjs; its CLI sits beside it (not exported, so found from the entry).
const CLI = join(dirname(fileURLToPath(import.meta.resolve('chromadb'))), 'cli.mjs');
const READY_WITHIN_MS = 30_000;

export interface ChromaServer {
  url: string;
  /** Stops the server; its data stays for `start`. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its data. */
  close(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function heartbeat(url: string): Promise<boolean> {
  return fetch(`${url}/api/v2/heartbeat`).then((r) => r.ok, () => false);
}

export async function startChromaServer(): Promise<ChromaServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'chroma-data-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;

  const start = async () => {
    const output: string[] = [];
    const server = spawn(process.execPath, [CLI, 'run', '--path', dataDir, '--host', '127.0.0.1', '--port', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = server;
    server.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
    server.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
    const deadline = Date.now() + READY_WITHIN_MS;
    while (!(await heartbeat(url))) {
      if (server.exitCode !== null || Date.now() > deadline) {
        server.kill('SIGKILL');
        throw new Error(`the Chroma server did not answer on ${url}:\n${output.join('').slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  const stop = async () => {
    const server = child;
    child = null;
    if (!server || server.exitCode !== null) return;
    const exited = new Promise((done) => server.once('exit', done));
    server.kill('SIGTERM');
    const killer = setTimeout(() => server.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  };

  await start();
  return {
    url,
    start,
    stop,
    async close() {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
