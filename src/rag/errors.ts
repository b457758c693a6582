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
