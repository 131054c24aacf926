/**
 * A single-producer/single-consumer byte ring in a SharedArrayBuffer: datagrams cross between the I/O thread
 * and a worker of a -workers answering run (handoff.ts) without a postMessage (a structured clone and a task)
 * per datagram. Records are length-prefixed and carry the peer's address and port; the consumer drains every
 * record there is at once, so a busy ring is read in batches.
 *
 * Layout: a control block of Int32 (head, tail, a wake-up sequence, drops, closed), then `capacity` bytes.
 * Head and tail count bytes for ever (wrapping at 2^32); a position is the count masked by the capacity, a
 * power of two, so that the counts wrap cleanly. Only the producer moves the tail, only the consumer the head.
 * A record is: int32 payload length, int32 (port | address length << 16), the address in ASCII, the payload,
 * padded to 4 bytes. One that does not fit before the end of the buffer leaves a wrap mark (−1) and starts at 0.
 */

const HEAD = 0;
const TAIL = 1;
/** Bumped by the producer after a batch; the consumer waits on it (Atomics.waitAsync). */
const SEQ = 2;
/** Records the producer could not write: the ring was full. */
const DROPS = 3;
const CLOSED = 4;
/** Records written, for the per-worker count of a run. */
const WRITTEN = 5;
const CONTROL_INTS = 8;
const HEADER_BYTES = 8;
const WRAP = -1;

/** What crosses threads: the buffer (shared, not copied) and its capacity. */
export interface RingShared {
  readonly buffer: SharedArrayBuffer;
  readonly capacity: number;
}

/** A ring of at least `bytes` bytes (rounded up to a power of two, at least 1 KiB). */
export function createRing(bytes: number): RingShared {
  let capacity = 1024;
  while (capacity < bytes) capacity *= 2;
  return { buffer: new SharedArrayBuffer(CONTROL_INTS * 4 + capacity), capacity };
}

class RingView {
  protected readonly ctrl: Int32Array;
  protected readonly ints: Int32Array;
  protected readonly bytes: Buffer;
  protected readonly mask: number;
  protected readonly capacity: number;

  constructor(shared: RingShared) {
    this.capacity = shared.capacity;
    this.mask = shared.capacity - 1;
    this.ctrl = new Int32Array(shared.buffer, 0, CONTROL_INTS);
    this.ints = new Int32Array(shared.buffer, CONTROL_INTS * 4, shared.capacity / 4);
    this.bytes = Buffer.from(shared.buffer, CONTROL_INTS * 4, shared.capacity);
  }

  /** Records the producer dropped because the ring was full. */
  get drops(): number {
    return Atomics.load(this.ctrl, DROPS);
  }

  /** Records written so far. */
  get written(): number {
    return Atomics.load(this.ctrl, WRITTEN);
  }
}

const aligned = (n: number): number => (n + 3) & ~3;

export class RingProducer extends RingView {
  private pending = false;

  /**
   * Writes one record; false (and a drop counted) when the ring has no room for it: a full ring is the
   * consumer's thread at its limit, and the datagram is lost as the kernel would lose it.
   * `payload` is a Buffer, or a latin1 string written straight into the ring (no Buffer in between).
   */
  write(payload: Buffer | string, address: string, port: number): boolean {
    const length = payload.length;
    const size = aligned(HEADER_BYTES + address.length + length);
    const head = Atomics.load(this.ctrl, HEAD);
    let tail = this.ctrl[TAIL] ?? 0;
    const pos = tail & this.mask;
    const toEnd = this.capacity - pos;
    const needed = size <= toEnd ? size : size + toEnd;
    if (size > this.capacity || ((tail - head) >>> 0) + needed > this.capacity) {
      Atomics.add(this.ctrl, DROPS, 1);
      return false;
    }
    let at = pos;
    if (size > toEnd) {
      this.ints[pos >> 2] = WRAP;
      tail = (tail + toEnd) | 0;
      at = 0;
    }
    this.ints[at >> 2] = length;
    this.ints[(at >> 2) + 1] = port | (address.length << 16);
    this.bytes.write(address, at + HEADER_BYTES, 'latin1');
    const body = at + HEADER_BYTES + address.length;
    if (typeof payload === 'string') this.bytes.write(payload, body, 'latin1');
    else payload.copy(this.bytes, body);
    // The store publishes the record: the consumer reads the tail with Atomics.load, after which the bytes are seen.
    Atomics.store(this.ctrl, TAIL, (tail + size) | 0);
    Atomics.add(this.ctrl, WRITTEN, 1);
    this.pending = true;
    return true;
  }

  /** Wakes the consumer once for every record written since the last flush (one notify per batch). */
  flush(): void {
    if (!this.pending) return;
    this.pending = false;
    Atomics.add(this.ctrl, SEQ, 1);
    Atomics.notify(this.ctrl, SEQ);
  }

  /** The consumer drains what is left and stops. */
  close(): void {
    Atomics.store(this.ctrl, CLOSED, 1);
    Atomics.add(this.ctrl, SEQ, 1);
    Atomics.notify(this.ctrl, SEQ);
  }
}

/** A record as the consumer sees it: valid only during the callback (its bytes are the ring's). */
export type RecordHandler = (bytes: Buffer, start: number, end: number, address: string, port: number) => void;

export class RingConsumer extends RingView {
  /** Reads every record there is now; returns how many. */
  drain(on: RecordHandler): number {
    let head = this.ctrl[HEAD] ?? 0;
    const tail = Atomics.load(this.ctrl, TAIL);
    let n = 0;
    while (head !== tail) {
      const pos = head & this.mask;
      const length = this.ints[pos >> 2] ?? 0;
      if (length === WRAP) {
        head = (head + this.capacity - pos) | 0;
        continue;
      }
      const meta = this.ints[(pos >> 2) + 1] ?? 0;
      const addressLength = meta >>> 16;
      const start = pos + HEADER_BYTES;
      const address = this.bytes.toString('latin1', start, start + addressLength);
      on(this.bytes, start + addressLength, start + addressLength + length, address, meta & 0xffff);
      head = (head + aligned(HEADER_BYTES + addressLength + length)) | 0;
      n++;
    }
    // Releases the space only after the records were handled (the handler reads the ring's own bytes).
    Atomics.store(this.ctrl, HEAD, head);
    return n;
  }

  /**
   * Drains the ring each time the producer flushes, until it closes; `done` runs once it has and the ring is
   * empty. Atomics.waitAsync: no thread blocks and no message is posted per batch. A pending waitAsync does not
   * keep the thread alive: its socket (I/O thread) or engine (worker) does.
   */
  listen(on: RecordHandler, done: () => void = () => undefined): void {
    const loop = (): void => {
      for (;;) {
        // The sequence is read before draining: a flush after the drain changes it, so no wake-up is missed.
        const seq = Atomics.load(this.ctrl, SEQ);
        this.drain(on);
        if (Atomics.load(this.ctrl, CLOSED) === 1) {
          this.drain(on);
          done();
          return;
        }
        const w = Atomics.waitAsync(this.ctrl, SEQ, seq);
        if (w.async) {
          void w.value.then(loop);
          return;
        }
      }
    };
    loop();
  }
}
