/**
 * One hashed timing wheel for every wake-up of every call (retransmission, receive timeout, pause end).
 * Nodes are intrusive and owned by their call, so scheduling allocates nothing; schedule and cancel are O(1).
 * The wheel never reads the clock itself: the engine advances it with the current time.
 */

export interface TimerNode {
  /** Absolute deadline in ms (same clock as advance()). */
  deadlineMs: number;
  prev: TimerNode | undefined;
  next: TimerNode | undefined;
  /** True while linked into the wheel. */
  armed: boolean;
  /** Slot it is linked in, valid while armed. */
  slot: number;
}

const SLOT_MS = 1;
const SLOTS = 1024; // power of two: deadlines further than ~1 s away wait in their slot for later laps

export class TimerWheel<T extends TimerNode> {
  private readonly heads: (T | undefined)[] = new Array<T | undefined>(SLOTS).fill(undefined);
  private currentTick: number;
  private count = 0;

  constructor(
    startMs: number,
    private readonly fire: (node: T) => void,
  ) {
    this.currentTick = Math.floor(startMs / SLOT_MS);
  }

  get size(): number {
    return this.count;
  }

  schedule(node: T, deadlineMs: number): void {
    if (node.armed) this.cancel(node);
    // Whole milliseconds: the node fires on the tick of its slot, ceil(deadline), either way, and V8 keeps an
    // integer field in the node where a fraction would need a heap number of 16 bytes per node (two per call).
    const whole = Math.ceil(deadlineMs / SLOT_MS) * SLOT_MS;
    node.deadlineMs = whole;
    // A deadline in the past fires on the next tick, never inside the slot walk that is running.
    const tick = Math.max(whole / SLOT_MS, this.currentTick + 1);
    const slot = tick & (SLOTS - 1);
    node.slot = slot;
    const head = this.heads[slot];
    node.prev = undefined;
    node.next = head;
    if (head !== undefined) head.prev = node;
    this.heads[slot] = node;
    node.armed = true;
    this.count++;
  }

  cancel(node: T): void {
    if (!node.armed) return;
    const { prev, next } = node;
    if (prev !== undefined) prev.next = next;
    else this.heads[node.slot] = next as T | undefined;
    if (next !== undefined) next.prev = prev;
    node.prev = undefined;
    node.next = undefined;
    node.armed = false;
    this.count--;
  }

  /** Fires every node whose deadline is <= nowMs. Callbacks may schedule and cancel freely. */
  advance(nowMs: number): void {
    const target = Math.floor(nowMs / SLOT_MS);
    if (this.count === 0) {
      this.currentTick = Math.max(target, this.currentTick);
      return;
    }
    // More than a lap behind: one pass over every slot does it.
    const laps = target - this.currentTick >= SLOTS;
    const last = laps ? this.currentTick + SLOTS - 1 : target;
    for (let tick = this.currentTick; tick <= last; tick++) {
      const slot = tick & (SLOTS - 1);
      let node = this.heads[slot];
      while (node !== undefined) {
        const next = node.next as T | undefined;
        if (node.deadlineMs <= nowMs) {
          this.cancel(node);
          this.fire(node);
          // The callback may have cancelled the node we were going to visit: walk the slot again.
          if (next !== undefined && !next.armed) {
            node = this.heads[slot];
            continue;
          }
        }
        node = next;
      }
      if (this.count === 0) break;
    }
    this.currentTick = target;
  }
}
