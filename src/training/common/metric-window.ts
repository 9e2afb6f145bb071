/**
 * What the GAN loop logs: the mean of every step quantity over the steps since the last record
 * (losses, D's rotation accuracy on real and fake images, D's classifier accuracy), plus images per
 * second. Quantities a method does not have (NaN from the steps) are left out of the record.
 */
import { writeFileAtomic } from '../../artifacts/atomic-write.js';
import { MetricsLog, type MetricRecord } from '../../artifacts/metrics-log.js';
import { existsSync } from 'node:fs';
import { z } from 'zod';

/**
 * The sums and counts of a window not yet flushed. A checkpoint written between two records (on a
 * time interval, or on a stop request) carries them, so the resumed run's next record averages
 * the same steps as an uninterrupted run's.
 */
export const pendingMetricsSchema = z.strictObject({
  sums: z.record(z.string(), z.number()),
  counts: z.record(z.string(), z.number().int().positive()),
});

export type PendingMetrics = z.infer<typeof pendingMetricsSchema>;

export class MetricWindow {
  private sums: Map<string, number>;
  private counts: Map<string, number>;
  private startedAt = performance.now();

  /**
   * @param imagesAtStart images seen when the window opens (the resume point).
   * @param pending the window's contents at the resume point (from its checkpoint).
   */
  constructor(
    private imagesAtStart: number,
    pending?: PendingMetrics,
  ) {
    this.sums = new Map(Object.entries(pending?.sums ?? {}));
    this.counts = new Map(Object.entries(pending?.counts ?? {}));
  }

  /** What has been added since the last flush; undefined when nothing has (right after one). */
  pending(): PendingMetrics | undefined {
    if (this.counts.size === 0) return undefined;
    return { sums: Object.fromEntries(this.sums), counts: Object.fromEntries(this.counts) };
  }

  /** Adds one step's numbers; NaN entries (absent terms) are skipped. */
  add(values: object): void {
    for (const [key, value] of Object.entries(values) as [string, unknown][]) {
      if (typeof value !== 'number' || Number.isNaN(value)) continue;
      this.sums.set(key, (this.sums.get(key) ?? 0) + value);
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    }
  }

  /** The record for generator step `step`, and a fresh window. */
  flush(step: number, imagesSeen: number): MetricRecord {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const images = imagesSeen - this.imagesAtStart;
    const record: Record<string, number> = { step, imagesSeen };
    for (const [key, sum] of this.sums) record[key] = sum / this.counts.get(key)!;
    if (seconds > 0) record.imagesPerSecond = images / seconds;
    this.sums = new Map();
    this.counts = new Map();
    this.startedAt = performance.now();
    this.imagesAtStart = imagesSeen;
    return record;
  }
}

/**
 * Removes `stage` records with step > `step` from the metrics log: they came from a run killed after
 * its last checkpoint and will be logged again by the resumed run.
 */
export async function dropMetricsAfter(file: string, stage: string, step: number): Promise<void> {
  if (!existsSync(file)) return;
  const records = await MetricsLog.read(file);
  const kept = records.filter((record) => !(record.stage === stage && typeof record.step === 'number' && record.step > step));
  if (kept.length === records.length) return;
  await writeFileAtomic(file, kept.map((record) => `${JSON.stringify(record)}\n`).join(''));
}
