/**
 * Call-ID → call. An ended call leaves a tombstone for -deadcall_wait so that its late retransmissions
 * are absorbed and counted instead of being taken for new calls or unexpected messages.
 */
import type { CallState } from './call.js';
import type { RetransKey } from './retrans-key.js';

/**
 * What an ended call that last answered a request keeps, so that the peer's retransmission of that request
 * still gets the answer: RFC 3261 §17.2.2, a non-INVITE server transaction stays Completed for Timer J
 * (64·T1) and resends its final response. Without it a lost 200 (BYE) fails the peer's call.
 */
export interface DeadReplay extends RetransKey {
  readonly answer: string;
  readonly answerIndex: number;
  readonly address: string;
  readonly port: number;
}

/** What an ended call leaves under its Call-ID until -deadcall_wait has passed. */
export class Tombstone {
  constructor(
    readonly expiresAt: number,
    readonly replay: DeadReplay | undefined,
  ) {}
}

/**
 * One map for open calls and tombstones: a call that ends replaces its own entry, so a call costs the map one
 * insert, one update and one delete. (Three maps, for calls, tombstones and replays, cost six operations per call
 * on tables of -deadcall_wait × rate entries: a UAS at 3,000 calls/s holds 100,000 tombstones.)
 */
export class CallRegistry {
  private readonly entries = new Map<string, CallState | Tombstone>();
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

  add(call: CallState): void {
    const previous = this.entries.get(call.callId);
    if (previous instanceof Tombstone) this.deadCount--;
    else if (previous !== undefined) this.openCount--;
    this.entries.set(call.callId, call);
    this.openCount++;
  }

  remove(call: CallState, nowMs: number, replay: DeadReplay | undefined): void {
    const previous = this.entries.get(call.callId);
    // Another open call that took the same Call-ID keeps it; it leaves its own tombstone when it ends.
    if (previous !== call && previous !== undefined && !(previous instanceof Tombstone)) return;
    if (previous === call) this.openCount--;
    else if (previous instanceof Tombstone) this.deadCount--;
    if (this.deadcallWaitMs <= 0) {
      this.entries.delete(call.callId);
      return;
    }
    this.entries.set(call.callId, new Tombstone(nowMs + this.deadcallWaitMs, replay));
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
        this.entries.delete(id);
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

  /** Every open call, for shutdown. */
  openCalls(): CallState[] {
    const out: CallState[] = [];
    for (const e of this.entries.values()) if (!(e instanceof Tombstone)) out.push(e);
    return out;
  }
}

/** An ended call that last answered a request keeps that answer for the request's retransmissions. */
export function replayOf(call: CallState): DeadReplay | undefined {
  const answered = call.answered;
  if (
    answered === undefined ||
    answered.status !== 0 ||
    answered.method === 'ACK' ||
    call.unanswered ||
    call.answeredIndex !== call.lastRecvIndex
  )
    return undefined;
  // The key holds no slice of the request (retransKeyOf), so the tombstone does not keep the request alive.
  return {
    status: 0,
    method: answered.method,
    cseq: answered.cseq,
    cseqMethod: answered.cseqMethod,
    branch: answered.branch,
    answer: call.answer,
    answerIndex: call.answerIndex,
    address: call.sendAddress,
    port: call.sendPort,
  };
}
