/**
 * ONE pacer for every media stream of a run. Streams register with their packet interval; a binary heap of
 * stream ids ordered by due time (ties by id) says who is next; one timer wakes the pacer, which sends every
 * packet due, in due order, through one callback. No timer and no Promise per packet or per stream, and
 * nothing is allocated per packet: the heap and the per-stream state are typed arrays, grown only by add().
 *
 * Due times advance by the interval from the previous due time, never from the time of sending, so a late
 * wake-up does not drift the stream: the packets that fell due meanwhile go out at once, in due order
 * (a receiver's jitter buffer sees the lateness, which is what the lateness histogram measures), up to
 * maxLateMs late; packets older than that are skipped and counted, so a long stall ends without a flood.
 *
 * Phases: a new stream's first packet is offset into its interval by the bit-reversed count of streams added
 * so far (the van der Corput sequence): the first 2^m streams sit at exactly the 2^m evenly spaced points of
 * the interval, whatever order they arrive in, so 1,000 calls started in the same millisecond do not fire in
 * the same tick.
 */
import type { JsHistogram } from 'hdr-histogram-js/dist/JsHistogram.js';
// The one histogram class used, not the package index (see src/stats/stats.ts: the index loads WebAssembly).
import Float64HistogramModule from 'hdr-histogram-js/dist/Float64Histogram.js';

const Float64Histogram = Float64HistogramModule.default;

/** Called once per packet due: the stream, when it was due and when it is sent (ms, the pacer's clock). */
export type PacerSend = (stream: number, dueMs: number, nowMs: number) => void;

export interface PacerOptions {
  readonly send: PacerSend;
  /** The clock, in ms (default performance.now). Tests inject a virtual one and call tick(). */
  readonly now?: () => number;
  /** Streams expected (the arrays grow past it). */
  readonly capacity?: number;
  /**
   * How late a packet may still go out (ms, default 1,000). After a longer stall (the process stopped, the
   * machine suspended) a stream skips the packets due before now - maxLateMs instead of sending them all
   * in one burst; they are counted in packetsSkipped, and the receiver sees them as lost.
   */
  readonly maxLateMs?: number;
}

export interface LatenessSummary {
  readonly count: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
}

/** The phase of the k-th stream added, as a fraction of its interval in [0, 1): 16-bit bit reversal of k. */
export function phaseFraction(k: number): number {
  let x = k & 0xffff;
  x = ((x & 0x5555) << 1) | ((x >>> 1) & 0x5555);
  x = ((x & 0x3333) << 2) | ((x >>> 2) & 0x3333);
  x = ((x & 0x0f0f) << 4) | ((x >>> 4) & 0x0f0f);
  x = ((x & 0x00ff) << 8) | ((x >>> 8) & 0x00ff);
  return x / 65536;
}

export class Pacer {
  private readonly sendFn: PacerSend;
  private readonly now: () => number;
  private due: Float64Array;
  private interval: Float64Array;
  /** Position of each stream in the heap, -1 when not registered. */
  private pos: Int32Array;
  private heap: Int32Array;
  private size = 0;
  /** Ids of removed streams, reused by add(). */
  private freeIds: Int32Array;
  private freeCount = 0;
  private nextId = 0;
  private added = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private running = false;
  private readonly lateness: JsHistogram = new Float64Histogram(1, 60_000_000, 3);
  private latenessSumMs = 0;
  private latenessMaxMs = 0;
  private sent = 0;
  private skipped = 0;
  private readonly maxLateMs: number;

  constructor(options: PacerOptions) {
    this.sendFn = options.send;
    this.now = options.now ?? (() => performance.now());
    this.maxLateMs = options.maxLateMs ?? 1000;
    const capacity = Math.max(1, options.capacity ?? 64);
    this.due = new Float64Array(capacity);
    this.interval = new Float64Array(capacity);
    this.pos = new Int32Array(capacity).fill(-1);
    this.heap = new Int32Array(capacity);
    this.freeIds = new Int32Array(capacity);
  }

  /** Registered streams. */
  get streams(): number {
    return this.size;
  }

  /** Packets sent so far. */
  get packetsSent(): number {
    return this.sent;
  }

  /** Packets skipped after stalls longer than maxLateMs. */
  get packetsSkipped(): number {
    return this.skipped;
  }

  /**
   * Registers a stream sending every `intervalMs` from `startMs` (default now), its first packet offset by its
   * phase. Returns its id, given to the send callback.
   */
  add(intervalMs: number, startMs = this.now()): number {
    if (!(intervalMs > 0)) throw new RangeError(`a media stream's packet interval must be above 0 ms, not ${intervalMs}`);
    const id = this.freeCount > 0 ? (this.freeIds[--this.freeCount] ?? 0) : this.nextId++;
    if (id >= this.due.length) this.grow();
    this.interval[id] = intervalMs;
    this.due[id] = startMs + phaseFraction(this.added++) * intervalMs;
    this.pos[id] = this.size;
    this.heap[this.size++] = id;
    this.siftUp(this.size - 1);
    if (this.running) this.arm();
    return id;
  }

  /** Unregisters a stream; its id may be reused by a later add(). */
  remove(id: number): void {
    const p = this.pos[id] ?? -1;
    if (p < 0) return;
    this.pos[id] = -1;
    const last = this.heap[--this.size] ?? 0;
    if (p < this.size) {
      this.heap[p] = last;
      this.pos[last] = p;
      this.siftDown(p);
      this.siftUp(this.pos[last] ?? p);
    }
    this.freeIds[this.freeCount++] = id;
  }

  /** When the stream's next packet is due (ms), or NaN if it is not registered. */
  nextDue(id: number): number {
    return (this.pos[id] ?? -1) < 0 ? NaN : (this.due[id] ?? NaN);
  }

  /** Sends every packet due by now, in due order; returns how many. */
  tick(): number {
    const now = this.now();
    let count = 0;
    while (this.size > 0) {
      const id = this.heap[0] ?? 0;
      let due = this.due[id] ?? 0;
      if (due > now) break;
      const interval = this.interval[id] ?? 1;
      if (now - due > this.maxLateMs) {
        // Skip whole intervals to the first due time no more than maxLateMs late.
        const skip = Math.ceil((now - this.maxLateMs - due) / interval);
        this.skipped += skip;
        due += skip * interval;
      }
      this.due[id] = due + interval;
      this.siftDown(0);
      this.record(now - due);
      count++;
      // Last: the callback may remove this stream or add others.
      this.sendFn(id, due, now);
    }
    this.sent += count;
    return count;
  }

  /** Starts the real-time loop: one timer, armed for the earliest due packet. */
  start(): void {
    this.running = true;
    this.arm();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  /** Send lateness (sent - due) of every packet so far, µs (-workers: its export, media-tally.ts). */
  get latenessUs(): JsHistogram {
    return this.lateness;
  }

  /** Send lateness (sent - due) over every packet so far. */
  latenessSummary(): LatenessSummary {
    const h = this.lateness;
    const ms = (us: number): number => us / 1000;
    const count = h.totalCount;
    return {
      count,
      meanMs: count === 0 ? 0 : this.latenessSumMs / count,
      p50Ms: count === 0 ? 0 : ms(h.getValueAtPercentile(50)),
      p99Ms: count === 0 ? 0 : ms(h.getValueAtPercentile(99)),
      p999Ms: count === 0 ? 0 : ms(h.getValueAtPercentile(99.9)),
      maxMs: this.latenessMaxMs,
    };
  }

  private record(lateMs: number): void {
    this.latenessSumMs += lateMs;
    if (lateMs > this.latenessMaxMs) this.latenessMaxMs = lateMs;
    // Whole microseconds, at least 1 (the histogram's lowest value): on time records as 1 us.
    this.lateness.recordValue(Math.max(1, Math.round(lateMs * 1000)));
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    if (!this.running) return;
    this.tick();
    this.arm();
  };

  /** Arms the one timer for the earliest due packet, unless it is armed for that already or earlier. */
  private arm(): void {
    if (this.size === 0) return;
    const due = this.due[this.heap[0] ?? 0] ?? 0;
    if (due >= this.timerAt) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = due;
    // setTimeout rounds to whole ms and fires no earlier: waking at floor() keeps lateness under ~1 ms.
    this.timer = setTimeout(this.onTimer, Math.max(0, Math.floor(due - this.now())));
  }

  private less(a: number, b: number): boolean {
    const da = this.due[a] ?? 0;
    const db = this.due[b] ?? 0;
    return da < db || (da === db && a < b);
  }

  private siftUp(start: number): void {
    const heap = this.heap;
    let i = start;
    const id = heap[i] ?? 0;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pid = heap[parent] ?? 0;
      if (!this.less(id, pid)) break;
      heap[i] = pid;
      this.pos[pid] = i;
      i = parent;
    }
    heap[i] = id;
    this.pos[id] = i;
  }

  private siftDown(start: number): void {
    const heap = this.heap;
    const n = this.size;
    let i = start;
    const id = heap[i] ?? 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let cid = heap[l] ?? 0;
      if (r < n) {
        const rid = heap[r] ?? 0;
        if (this.less(rid, cid)) {
          c = r;
          cid = rid;
        }
      }
      if (!this.less(cid, id)) break;
      heap[i] = cid;
      this.pos[cid] = i;
      i = c;
    }
    heap[i] = id;
    this.pos[id] = i;
  }

  private grow(): void {
    const n = this.due.length * 2;
    const grown = (a: Float64Array): Float64Array => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    const grownInt = (a: Int32Array, fill: number): Int32Array => {
      const b = new Int32Array(n).fill(fill);
      b.set(a);
      return b;
    };
    this.due = grown(this.due);
    this.interval = grown(this.interval);
    this.pos = grownInt(this.pos, -1);
    this.heap = grownInt(this.heap, 0);
    this.freeIds = grownInt(this.freeIds, 0);
  }
}
