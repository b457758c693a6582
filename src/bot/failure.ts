/** Turns a failed command into the one line the user sees, and logs it; unexpected errors get a reference. */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { UserFacingError } from '../rag/errors.js';
import type { LogFields } from './context.js';
import { escapeOutside } from './escape.js';

export function failureLine(error: unknown, logger: Logger, fields: LogFields): string {
  if (error instanceof UserFacingError) {
    logger.info({ ...fields, outcome: 'refused', reason: error.message }, 'command refused');
    // The reason can name a corpus file or a document the user typed: outside text like any other.
    return `Sorry — ${escapeOutside(error.message)}${/[.!?]$/.test(error.message) ? '' : '.'}`;
  }
  const ref = randomBytes(4).toString('hex');
  logger.error({ ...fields, outcome: 'failed', ref, err: error }, 'command failed');
  return `Something went wrong (ref ${ref}). Please try again; if it keeps happening, give the team this reference.`;
}
