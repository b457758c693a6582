/** Lets one in-process ingest (/reindex, /add) run at a time and spaces runs by a cooldown. */

/** One claimed run; `release` may be called more than once (only the first counts), never releasing a later run. */
export interface GateClaim {
  release(completed: boolean): void;
}

export class ReindexGate {
  private runningSince: number | null = null;
  private finishedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly cooldownMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Claims the gate and returns null, or returns why a re-index cannot start now. Claiming happens before any await,
   * so two `/reindex` arriving together cannot both pass.
   */
  tryStart(): string | null {
    const now = this.now();
    if (this.runningSince !== null) {
      const seconds = Math.round((now - this.runningSince) / 1000);
      return `A re-index is already running (started ${seconds} s ago); its report goes to whoever started it.`;
    }
    const wait = this.finishedAt + this.cooldownMs - now;
    if (wait > 0) return `The index was rebuilt moments ago; try again in ${Math.ceil(wait / 1000)} s.`;
    this.runningSince = now;
    return null;
  }

  /** Claims the gate for one run, or returns why it cannot start now. */
  claim(): GateClaim | string {
    const refusal = this.tryStart();
    if (refusal) return refusal;
    let released = false;
    return {
      release: (completed) => {
        if (!released) this.finish(completed);
        released = true;
      },
    };
  }

  /** Releases the gate; a completed run starts the cooldown, a failed one does not. */
  finish(completed: boolean): void {
    this.runningSince = null;
    if (completed) this.finishedAt = this.now();
  }
}
