/**
 * When a training loop writes a checkpoint: every `everySteps` steps, at the last step, and after
 * `everyMinutes` of wall-clock time since the previous one, so a slow machine loses at most that
 * much work to a crash. Resuming is exact from any step (the checkpoints carry the metrics window),
 * so the time-based ones may fall anywhere.
 */
export class CheckpointSchedule {
  private lastAt: number;

  /**
   * @param everySteps steps between checkpoints (> 0)
   * @param everyMinutes minutes between checkpoints (0 = never on time)
   * @param now clock in milliseconds (tests pass a fake one)
   */
  constructor(
    private readonly everySteps: number,
    private readonly everyMinutes: number,
    private readonly now: () => number = Date.now,
  ) {
    this.lastAt = now();
  }

  /** Whether a checkpoint is due after `step` (`last`: the final step). */
  due(step: number, last: boolean): boolean {
    if (step % this.everySteps === 0 || last) return true;
    return this.everyMinutes > 0 && this.now() - this.lastAt >= this.everyMinutes * 60_000;
  }

  /** Records that a checkpoint was just written. */
  written(): void {
    this.lastAt = this.now();
  }
}
