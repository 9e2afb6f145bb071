/**
 * Reuse of the float32 arrays that native kernels write their outputs into (bench/RESULTS.md §
 * Garbage collection). A fresh `Float32Array` per output is zeroed, counted by V8 as external
 * memory, and freed only by a garbage collection; a training step allocates hundreds of MB of them,
 * so V8 collects several times per step. Here an output array goes back to a free list when its
 * tensor's data is disposed, and the next output of the same length takes it, unzeroed: only
 * kernels whose native function writes every element take their outputs from the pool.
 *
 * An array is recycled only while nothing outside its one tensor can see it. It escapes (is never
 * recycled again) when
 *   - its values are read out of the backend (`dataSync`, `data`, `arraySync`: the caller keeps them);
 *   - another tensor is registered with it or with a view of its buffer (the cpu kernels' `slice`
 *     and `stridedSlice` return `subarray` views of their input).
 */

/**
 * Pooled bytes kept at most. A release beyond it evicts the arrays that have waited longest (left to
 * the garbage collector): a stage whose shapes differ from the last one's (pretraining, then the GAN)
 * would otherwise find the pool full of arrays no kernel of its own asks for.
 */
const DEFAULT_CAPACITY_BYTES = 512 * 2 ** 20;

export interface OutputPoolStats {
  /** take() calls answered from the free lists. */
  readonly reused: number;
  /** take() calls that allocated. */
  readonly allocated: number;
  /** Arrays that escaped (read out or shared) and will not be recycled. */
  readonly escaped: number;
  /** Free arrays dropped to make room for newer ones. */
  readonly evicted: number;
  /** Bytes waiting in the free lists. */
  readonly freeBytes: number;
}

export class OutputPool {
  /** Free arrays by length, each list oldest first. */
  private readonly free = new Map<number, Float32Array[]>();
  /** Every free array, oldest release first (a Set keeps insertion order). */
  private readonly freeOrder = new Set<Float32Array>();
  /** Arrays handed out by take() that may come back: each one's buffer → the array. */
  private readonly owned = new WeakMap<ArrayBufferLike, Float32Array>();
  /** Owned arrays that a tensor's data already holds (a second registration makes them escape). */
  private readonly registered = new WeakSet<Float32Array>();
  private freeBytes = 0;
  private reused = 0;
  private allocated = 0;
  private escaped = 0;
  private evicted = 0;

  constructor(private readonly capacityBytes = DEFAULT_CAPACITY_BYTES) {}

  /** An array of `length` floats for a kernel that overwrites every element (contents undefined). */
  take(length: number): Float32Array {
    const list = this.free.get(length);
    const reused = list?.pop();
    if (reused !== undefined) {
      this.freeOrder.delete(reused);
      this.freeBytes -= reused.byteLength;
      this.reused++;
      return reused;
    }
    const fresh = new Float32Array(length);
    // Views are never handed out: every owned array spans its whole buffer.
    this.owned.set(fresh.buffer, fresh);
    this.allocated++;
    return fresh;
  }

  /** Called for every array the backend stores for a tensor (write, move). */
  noteStored(values: unknown): void {
    const owner = this.ownerOf(values);
    if (owner === undefined) return;
    if (owner !== values || this.registered.has(owner)) this.escape(owner);
    else this.registered.add(owner);
  }

  /** Called for every array the backend hands out of its storage (readSync, read). */
  noteRead(values: unknown): void {
    const owner = this.ownerOf(values);
    if (owner !== undefined) this.escape(owner);
  }

  /** Called when a tensor's data is deleted: an owned, unshared array goes back to the free list. */
  release(values: unknown): void {
    const owner = this.ownerOf(values);
    if (owner === undefined || owner !== values) return;
    this.registered.delete(owner);
    if (owner.byteLength > this.capacityBytes) return;
    while (this.freeBytes + owner.byteLength > this.capacityBytes) this.evictOldest();
    const list = this.free.get(owner.length);
    if (list === undefined) this.free.set(owner.length, [owner]);
    else list.push(owner);
    this.freeOrder.add(owner);
    this.freeBytes += owner.byteLength;
  }

  stats(): OutputPoolStats {
    return {
      reused: this.reused,
      allocated: this.allocated,
      escaped: this.escaped,
      evicted: this.evicted,
      freeBytes: this.freeBytes,
    };
  }

  /**
   * Drops the free array released longest ago. Within one length, take() pops the newest, so the
   * oldest free array of its length is the head of that length's list.
   */
  private evictOldest(): void {
    const oldest = this.freeOrder.values().next().value as Float32Array;
    this.freeOrder.delete(oldest);
    const list = this.free.get(oldest.length) as Float32Array[];
    list.shift();
    if (list.length === 0) this.free.delete(oldest.length);
    this.owned.delete(oldest.buffer);
    this.freeBytes -= oldest.byteLength;
    this.evicted++;
  }

  private ownerOf(values: unknown): Float32Array | undefined {
    if (!ArrayBuffer.isView(values)) return undefined;
    return this.owned.get(values.buffer);
  }

  private escape(owner: Float32Array): void {
    this.owned.delete(owner.buffer);
    this.registered.delete(owner);
    this.escaped++;
  }
}
