/** What every command-line entry point shares: one-line errors (stack only with --debug) and exit codes. */
import { ConfigError, InvalidQuestionError, UserFacingError } from '../src/rag/errors.js';

/** Exit codes: 0 done, 1 failed, 2 the input or the arguments were invalid. */
export const EXIT_INVALID = 2;

export async function runCli(main: (debug: boolean) => Promise<number | void>): Promise<void> {
  const debug = process.argv.includes('--debug');
  try {
    process.exitCode = (await main(debug)) ?? 0;
  } catch (e) {
    const error = e as Error;
    if (debug) console.error(error.stack ?? error);
    if (e instanceof UserFacingError) {
      console.error(`error: ${error.message}`);
      process.exitCode = e instanceof InvalidQuestionError || e instanceof ConfigError ? EXIT_INVALID : 1;
    } else {
      console.error(`error: ${error.message ?? error}${debug ? '' : ' (run with --debug for details)'}`);
      process.exitCode = 1;
    }
  }
}

/** Progress and notices go to stderr so stdout stays machine-readable with --json. */
export const notice = (message: string) => console.error(message);
