/** What every command-line entry point shares: one-line errors (stack only with --debug) and exit codes. */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import type { Config } from '../src/config.js';
import type { Engine } from '../src/rag/engine.js';
import { ConfigError, ingestStopped, InvalidQuestionError, UserFacingError } from '../src/rag/errors.js';

/** Exit codes: 0 done, 1 failed, 2 the input or the arguments were invalid. */
export const EXIT_INVALID = 2;

/**
 * Runs a command's body and turns what it throws into one line on stderr and an exit code. `redact` removes
 * secrets (the bot token) from that line.
 */
export async function runCli(main: (debug: boolean) => Promise<number | void>, redact: (line: string) => string = (line) => line): Promise<void> {
  const debug = process.argv.includes('--debug');
  // A reader that stops early (`npm run ask -- … | head`) is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  try {
    process.exitCode = (await main(debug)) ?? 0;
  } catch (e) {
    const error = e as Error;
    if (debug) console.error(redact(String(error.stack ?? error)));
    if (e instanceof UserFacingError) {
      console.error(redact(`error: ${error.message}`));
      process.exitCode = e instanceof InvalidQuestionError || e instanceof ConfigError ? EXIT_INVALID : 1;
    } else {
      console.error(redact(`error: ${error.message ?? error}${debug ? '' : ' (run with --debug for details)'}`));
      process.exitCode = 1;
    }
  }
}

/** Progress and notices go to stderr so stdout stays machine-readable with --json. */
export const notice = (message: string) => console.error(message);

/**
 * Until `release()`, SIGINT and SIGTERM abort `signal` instead of killing the process, so an ingest under way stops
 * cleanly (its half-written build removed, the index in use untouched) and the command ends with one line.
 */
export function stopOnSignals(): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((name) => {
    const handler = () => controller.abort(ingestStopped(name));
    // `on`, not `once`: a `once` listener is gone while it runs, and signal-exit (loaded by proper-lockfile when the
    // ingest takes its lock), finding itself the only listener then, would kill the process with the signal.
    process.on(name, handler);
    return [name, handler] as const;
  });
  return { signal: controller.signal, release: () => handlers.forEach(([name, handler]) => process.off(name, handler)) };
}

/** The engine as the answering commands open it: building the index first when there is none or the corpus changed. */
export async function openEngine(config: Config): Promise<Engine> {
  // Loaded here, so that commands without an engine (deploy-commands) do not load it.
  const { Engine } = await import('../src/rag/engine.js');
  const stopping = stopOnSignals();
  try {
    const engine = await Engine.open(config, { autoIngest: true, onNotice: notice, signal: stopping.signal });
    stopping.signal.throwIfAborted();
    return engine;
  } finally {
    stopping.release();
  }
}

/** A command with the options every entry point shares; errors go to stderr as one line. */
export function command(name: string, description: string): Command {
  return new Command()
    .name(`npm run ${name} --`)
    .description(description)
    .option('--debug', 'show stack traces')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
}

/**
 * Parses the process arguments. Returns the exit code when commander has already answered (help: 0, a bad
 * argument: 2, after printing its one-line reason), or null to go on.
 */
export function parseArguments(program: Command): number | null {
  try {
    program.parse();
    return null;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_INVALID;
    throw e;
  }
}

/** A commander option parser for counts: a whole number of at least 1. */
export function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number ≥ 1');
  return n;
}

/** Rows as aligned columns, the first row the header; `figures` right-aligns every column but the first. */
export function table(rows: string[][], { figures = false } = {}): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const pad = (cell: string, i: number) => (figures && i ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!));
  return rows.map((r) => r.map(pad).join('  ').trimEnd()).join('\n');
}
