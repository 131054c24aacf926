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
/** Slots a level: a power of two. Level 0 holds the next 1,024 ms, a slot a millisecond. */
const SLOTS = 1024;
const MASK = SLOTS - 1;
/** Ticks of a level-1 slot: one lap of level 0. Level 1 holds the next 1,024 laps (about 17 minutes). */
const LAP_BITS = 10;

/**
 * Two levels, so that a long wait is not visited on every lap. With one level of 1,024 slots a node due in
 * 4 s (a UAS's timewait) was walked past 4 times, and a call in a 3-minute pause 180 times: at 3,000 calls/s
 * with `-d 180000` that is half a million cold nodes read a second for nothing. A node due within the next
 * lap sits in level 0 in the slot of its millisecond and fires when the walk reaches it; a later one sits in
 * level 1 in the slot of its lap, and moves to level 0 when its lap begins (at most once), or waits another
 * round of level 1 if it is more than 17 minutes away.
 */
export class TimerWheel<T extends TimerNode> {
  /** Level 0 in [0, SLOTS), level 1 in [SLOTS, 2·SLOTS). */
  private readonly heads: (T | undefined)[] = new Array<T | undefined>(2 * SLOTS).fill(undefined);
  /** The last tick walked: every node in the wheel is due after it. */
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
    this.link(node, Math.max(whole / SLOT_MS, this.currentTick + 1));
    node.armed = true;
    this.count++;
  }

  cancel(node: T): void {
    if (!node.armed) return;
    this.unlink(node);
    node.armed = false;
    this.count--;
  }

  /** Fires every node whose deadline is <= nowMs. Callbacks may schedule and cancel freely. */
  advance(nowMs: number): void {
    const target = Math.floor(nowMs / SLOT_MS);
    if (this.count === 0 || target <= this.currentTick) {
      this.currentTick = Math.max(target, this.currentTick);
      return;
    }
    if (target - this.currentTick >= SLOTS) {
      this.catchUp(target, nowMs);
      return;
    }
    while (this.currentTick < target) {
      const tick = this.currentTick + 1;
      // Set first: what a callback schedules lands after the slot being walked.
      this.currentTick = tick;
      if ((tick & MASK) === 0) this.cascade(tick);
      this.fireSlot(tick & MASK, nowMs);
      if (this.count === 0) break;
    }
    this.currentTick = target;
  }

  /** Level-0 slot for a tick within the next lap, else the level-1 slot of its lap. */
  private link(node: T, tick: number): void {
    const slot = tick - this.currentTick < SLOTS ? tick & MASK : SLOTS + ((tick >>> LAP_BITS) & MASK);
    node.slot = slot;
    const head = this.heads[slot];
    node.prev = undefined;
    node.next = head;
    if (head !== undefined) head.prev = node;
    this.heads[slot] = node;
  }

  private unlink(node: T): void {
    const { prev, next } = node;
    if (prev !== undefined) prev.next = next;
    else this.heads[node.slot] = next as T | undefined;
    if (next !== undefined) next.prev = prev;
    node.prev = undefined;
    node.next = undefined;
  }

  /** A lap begins at `tick`: the level-1 nodes due in it move to level 0; those due in a later round stay. */
  private cascade(tick: number): void {
    this.pullNear(SLOTS + ((tick >>> LAP_BITS) & MASK), tick);
  }

  /** Moves the nodes of a level-1 slot that are due within a lap of `tick` (the current tick) to level 0. */
  private pullNear(slot: number, tick: number): void {
    let node = this.heads[slot];
    while (node !== undefined) {
      const next = node.next as T | undefined;
      const due = node.deadlineMs / SLOT_MS;
      if (due - tick < SLOTS) {
        this.unlink(node);
        this.link(node, Math.max(due, tick));
      }
      node = next;
    }
  }

  /** Fires the nodes of a level-0 slot that are due. */
  private fireSlot(slot: number, nowMs: number): void {
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
  }

  /**
   * More than a lap behind (the process was stopped, or a turn ran long): every level-0 node is due, and one pass
   * over level 1 fires what is due there and brings what is due within a lap of `target` to level 0.
   */
  private catchUp(target: number, nowMs: number): void {
    this.currentTick = target;
    for (let slot = 0; slot < SLOTS; slot++) this.fireSlot(slot, nowMs);
    for (let slot = SLOTS; slot < 2 * SLOTS; slot++) {
      this.fireSlot(slot, nowMs);
      this.pullNear(slot, target);
    }
  }
}
