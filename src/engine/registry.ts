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

export class CallRegistry {
  private readonly calls = new Map<string, CallState>();
  private readonly tombstones = new Map<string, number>();
  private readonly replays = new Map<string, DeadReplay>();
  /** Tombstones in expiry order (deadcall_wait is one value, so insertion order is expiry order). */
  private readonly expiryIds: string[] = [];
  private readonly expiryAt: number[] = [];
  private expiryHead = 0;

  constructor(private readonly deadcallWaitMs: number) {}

  get open(): number {
    return this.calls.size;
  }

  /** Tombstones still held. */
  get dead(): number {
    return this.tombstones.size;
  }

  get(callId: string): CallState | undefined {
    return this.calls.get(callId);
  }

  isDead(callId: string): boolean {
    return this.tombstones.has(callId);
  }

  replayOf(callId: string): DeadReplay | undefined {
    return this.replays.get(callId);
  }

  add(call: CallState): void {
    this.calls.set(call.callId, call);
  }

  remove(call: CallState, nowMs: number, replay: DeadReplay | undefined): void {
    this.calls.delete(call.callId);
    if (this.deadcallWaitMs <= 0) return;
    this.tombstones.set(call.callId, nowMs + this.deadcallWaitMs);
    if (replay !== undefined) this.replays.set(call.callId, replay);
    else this.replays.delete(call.callId);
    this.expiryIds.push(call.callId);
    this.expiryAt.push(nowMs + this.deadcallWaitMs);
  }

  /** Drops expired tombstones; amortised O(1) per call. */
  expire(nowMs: number): void {
    let h = this.expiryHead;
    while (h < this.expiryIds.length && (this.expiryAt[h] ?? 0) <= nowMs) {
      const id = this.expiryIds[h] as string;
      if ((this.tombstones.get(id) ?? 0) <= nowMs) {
        this.tombstones.delete(id);
        this.replays.delete(id);
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
    return [...this.calls.values()];
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
