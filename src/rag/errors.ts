/**
 * Errors a user can cause or fix. Front ends print `message` as one line (no stack) and pick an exit code or reply
 * from the class; anything that is not a UserFacingError is a bug and is logged with a reference.
 */
export class UserFacingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The question cannot be answered as asked (empty, too long, nothing searchable). */
export class InvalidQuestionError extends UserFacingError {}

/** A setting in the environment is missing or malformed; the message names the variable. */
export class ConfigError extends UserFacingError {}

/** The corpus directory or one of its files cannot be used. */
export class CorpusFileError extends UserFacingError {}

/** The index on disk was built by another embedder or is damaged. */
export class IndexMismatchError extends UserFacingError {}

/** Another ingest holds the index lock. */
export class IngestBusyError extends UserFacingError {}

/** A summary was asked for a document the index does not hold. */
export class UnknownSourceError extends UserFacingError {}

/** An external service the configuration points at (vector server, model server) cannot be reached. */
export class ServiceUnavailableError extends UserFacingError {}

/** An ingest was stopped (SIGTERM, SIGINT, the bot shutting down) before its build went live. */
export class IngestStoppedError extends UserFacingError {}

/** The one line users see for a stopped ingest: `why` names the signal or the reason. */
export const ingestStopped = (why: string) => new IngestStoppedError(`ingest stopped by ${why}; the index in use was not changed`);

/**
 * An ingest could not write the index: a full or read-only disk, or no permission. Nothing of it went live, so the
 * index in use (if any) still answers; `why` is the cause in a few words, for a front end's own sentence.
 */
export class IndexWriteError extends UserFacingError {
  constructor(
    message: string,
    readonly why = message,
  ) {
    super(message);
  }
}

/** Error codes that mean "this cannot be written here", whatever was being written. */
const CANNOT_WRITE: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the disk is read-only',
  EACCES: 'no permission to write there',
  EPERM: 'no permission to write there',
};

/**
 * The error as an IndexWriteError when it says the index at `indexDir` cannot be written, else null. A permission
 * error counts only for a path inside the index (the corpus's own permissions are a corpus matter).
 */
export function asIndexWriteError(e: unknown, indexDir: string, resolvedIndexDir: string): IndexWriteError | null {
  if (e instanceof IndexWriteError) return e;
  const { code, path } = (e ?? {}) as NodeJS.ErrnoException;
  const why = code ? CANNOT_WRITE[code] : undefined;
  if (!why) return null;
  if ((code === 'EACCES' || code === 'EPERM') && !(path && `${path}/`.startsWith(`${resolvedIndexDir}/`))) return null;
  const cause = `${why}: ${code}`;
  return new IndexWriteError(`cannot write the index at ${indexDir} (${cause}); the index in use was not changed`, `cannot write the index at ${indexDir} (${cause})`);
}
