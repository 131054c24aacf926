/**
 * Call-ID → call. An ended call leaves a tombstone for -deadcall_wait so that its late retransmissions
 * are absorbed and counted instead of being taken for new calls or unexpected messages.
 */
import type { CallState } from './call.js';
import type { RetransKey } from './retrans-key.js';

/**
 * What an ended call leaves under its Call-ID until -deadcall_wait has passed. A call that last answered a
 * request keeps that answer, so that the peer's retransmission of the request still gets it: RFC 3261 §17.2.2,
 * a non-INVITE server transaction stays Completed for Timer J (64·T1) and resends its final response. Without it
 * a lost 200 (BYE) fails the peer's call. One object per ended call: a UAS at 3,000 calls/s holds 100,000.
 */
export class Tombstone {
  /** The request answered (its key holds no slice of the request: retransKeyOf); undefined when there is none. */
  readonly key: RetransKey | undefined;
  readonly answer: string;
  readonly answerIndex: number;
  readonly address: string;
  readonly port: number;

  constructor(
    readonly expiresAt: number,
    call: CallState,
  ) {
    const answered = call.answered;
    const replays =
      answered !== undefined &&
      answered.status === 0 &&
      answered.method !== 'ACK' &&
      !call.unanswered &&
      call.answeredIndex === call.lastRecvIndex;
    this.key = replays ? answered : undefined;
    this.answer = replays ? call.answer : '';
    this.answerIndex = call.answerIndex;
    this.address = call.sendAddress;
    this.port = call.sendPort;
  }
}

/**
 * Deletes between two looks at whether the map is small enough to be made anew, and that size. A V8 Map keeps its
 * entries in a table that it replaces (rehashes) when deletes have filled it; the replaced table keeps the entries it
 * held then, and the new one is made in the generation of the old (V8's OrderedHashTable::Rehash). Once a table has
 * gone to the old generation (it lived through two young collections, or a full one came), every table after it is
 * old, and each dead one still points to the calls that were open when it was replaced: a young collection takes
 * every pointer from the old generation as a root, live or not, so those calls are promoted, and stay until a full
 * collection. With few entries and many deletes (-deadcall_wait 0, a scenario with no timewait) the table is replaced
 * every few calls and every call went to the old generation: a UAS at 3,000 calls/s promoted 1.2 MB at each young
 * collection after the first full one, 20 KB before it (`node --trace-gc-nvp`). A new Map starts young, and so do its
 * tables. A map of -deadcall_wait's tombstones is usually far larger, its tables live through many young collections
 * anyway, and a map of more than REFRESH_MAX_ENTRIES is never copied. Copying at most 1,024 entries every 1,024 deletes costs at
 * most one insert a delete. test/unit/registry.test.ts measures what young collections promote, against a plain Map.
 */
const REFRESH_DELETES = 1024;
const REFRESH_MAX_ENTRIES = 1024;

/**
 * One map for open calls and tombstones: a call that ends replaces its own entry, so a call costs the map one
 * insert, one update and one delete. (Three maps, for calls, tombstones and replays, cost six operations per call
 * on tables of -deadcall_wait × rate entries: a UAS at 3,000 calls/s holds 100,000 tombstones.)
 */
export class CallRegistry {
  private entries = new Map<string, CallState | Tombstone>();
  private deletes = 0;
  private openCount = 0;
  private deadCount = 0;
  /** Tombstones in expiry order (deadcall_wait is one value, so insertion order is expiry order). */
  private readonly expiryIds: string[] = [];
  private readonly expiryAt: number[] = [];
  private expiryHead = 0;

  constructor(private readonly deadcallWaitMs: number) {}

  get open(): number {
    return this.openCount;
  }

  /** Tombstones still held. */
  get dead(): number {
    return this.deadCount;
  }

  /** The open call or the tombstone under a Call-ID: one look-up where a message is routed. */
  entry(callId: string): CallState | Tombstone | undefined {
    return this.entries.get(callId);
  }

  get(callId: string): CallState | undefined {
    const e = this.entries.get(callId);
    return e instanceof Tombstone ? undefined : e;
  }

  isDead(callId: string): boolean {
    return this.entries.get(callId) instanceof Tombstone;
  }

  /**
   * `fresh`: no entry holds the call's Call-ID (the caller has just looked, or made it unique): one map operation
   * instead of two. A look-up that misses walks its bucket's whole chain of old entries, cold in the cache on a map
   * of -deadcall_wait × rate tombstones; in a perf profile of -sn uac at 3,000/s it was 1.3% of the CPU.
   */
  add(call: CallState, fresh: boolean): void {
    if (fresh) {
      this.entries.set(call.callId, call);
      this.openCount++;
      return;
    }
    const previous = this.entries.get(call.callId);
    if (previous instanceof Tombstone) this.deadCount--;
    else if (previous !== undefined) this.openCount--;
    this.entries.set(call.callId, call);
    this.openCount++;
  }

  remove(call: CallState, nowMs: number): void {
    const previous = this.entries.get(call.callId);
    // Another open call that took the same Call-ID keeps it; it leaves its own tombstone when it ends.
    if (previous !== call && previous !== undefined && !(previous instanceof Tombstone)) return;
    if (previous === call) this.openCount--;
    else if (previous instanceof Tombstone) this.deadCount--;
    if (this.deadcallWaitMs <= 0) {
      this.drop(call.callId);
      return;
    }
    this.entries.set(call.callId, new Tombstone(nowMs + this.deadcallWaitMs, call));
    this.deadCount++;
    this.expiryIds.push(call.callId);
    this.expiryAt.push(nowMs + this.deadcallWaitMs);
  }

  /** Drops expired tombstones; amortised O(1) per call. */
  expire(nowMs: number): void {
    let h = this.expiryHead;
    while (h < this.expiryIds.length && (this.expiryAt[h] ?? 0) <= nowMs) {
      const id = this.expiryIds[h] as string;
      const e = this.entries.get(id);
      // A later tombstone of the same Call-ID, or a new call that took it, stays.
      if (e instanceof Tombstone && e.expiresAt <= nowMs) {
        this.drop(id);
        this.deadCount--;
      }
      h++;
    }
    this.expiryHead = h;
    // Compact now and then so the queues do not grow for ever on long runs.
    if (h > 4096 && h * 2 > this.expiryIds.length) {
      this.expiryIds.splice(0, h);
      this.expiryAt.splice(0, h);
      this.expiryHead = 0;
    }
  }

  private drop(callId: string): void {
    this.entries.delete(callId);
    if (++this.deletes < REFRESH_DELETES) return;
    this.deletes = 0;
    if (this.entries.size <= REFRESH_MAX_ENTRIES) this.entries = new Map(this.entries);
  }

  /** Every open call, for shutdown. */
  openCalls(): CallState[] {
    const out: CallState[] = [];
    for (const e of this.entries.values()) if (!(e instanceof Tombstone)) out.push(e);
    return out;
  }
}
