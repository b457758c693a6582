/** Lets one in-process re-index run at a time and spaces runs by a cooldown. */
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

  /** Releases the gate; a completed run starts the cooldown, a failed one does not. */
  finish(completed: boolean): void {
    this.runningSince = null;
    if (completed) this.finishedAt = this.now();
  }
}
