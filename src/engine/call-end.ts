/**
 * How a call ends: taken out of every structure that knows it (its timers, the registry, where its Call-ID
 * leaves a tombstone, its endpoint, its user and circuit) and counted once, as a success, a failure (with
 * -trace_fail's evidence) or aborted. One place, whoever ends it (the interpreter, a lost connection, a stop).
 */
import { Counter, type Stats } from '../stats/stats.js';
import { SUCCESS, type Outcome } from '../events/outcome.js';
import type { CompiledScenario } from '../scenario/compile.js';
import type { Transport } from '../transport/transport.js';
import type { CallState, CallTimer } from './call.js';
import { INIT_CALL_ID, type CallFactory } from './call-factory.js';
import type { CallRegistry } from './registry.js';
import { exchangeAhead } from './step-search.js';
import type { TimerWheel } from './timer-wheel.js';
import type { TraceTaps } from './trace-taps.js';
import type { MediaHost } from './media.js';

/** What ending calls needs of the engine. */
export interface EndContext {
  readonly scenario: CompiledScenario;
  readonly wheel: TimerWheel<CallTimer>;
  readonly registry: CallRegistry;
  readonly stats: Stats;
  readonly factory: CallFactory;
  readonly taps: TraceTaps;
  readonly clock: () => number;
  transport(): Transport | undefined;
  /** Sends the BYE or CANCEL of an aborted call (the interpreter's hangUp). */
  hangUp(call: CallState): void;
  /** The run's media: a call's streams stop and its ports go back when it ends. */
  readonly media: MediaHost | undefined;
}

export class CallEnds {
  constructor(private readonly ctx: EndContext) {}

  /** Ends a call, counted by its outcome. */
  finish(call: CallState, outcome: Outcome): void {
    if (call.callId === INIT_CALL_ID) {
      call.ended = true;
      return;
    } // the <init> call counts nowhere
    if (call.ended) return;
    const { stats } = this.ctx;
    const now = this.ctx.clock();
    this.release(call, now);
    stats.recordCallLength(now - call.startMs);
    if (outcome.kind === 'success') stats.count(Counter.SuccessfulCalls);
    else {
      stats.count(Counter.FailedCalls);
      stats.fail(outcome.index);
      this.ctx.taps.failed(call, outcome.reason, now);
    }
  }

  /** Ends every open call, counted as aborted; hung up with BYE or CANCEL unless told not to (a timed-out run). */
  dropOpen(now: number, hangUpCalls = true): void {
    for (const call of this.ctx.registry.openCalls()) {
      if (hangUpCalls) this.ctx.hangUp(call);
      this.release(call, now);
      this.ctx.stats.count(Counter.AbortedCalls);
      this.ctx.taps.failed(call, 'Aborted', now);
    }
  }

  /**
   * A side engine ends with its main one: a call with only its closing pause (timewait) left has done its
   * exchange and ends as it would have; the others are dropped, counted as aborted.
   */
  endSide(hangUpCalls: boolean): void {
    for (const call of this.ctx.registry.openCalls())
      if (!exchangeAhead(this.ctx.scenario.steps, call.stepIndex)) this.finish(call, SUCCESS);
    this.dropOpen(this.ctx.clock(), hangUpCalls);
  }

  /** Takes an ending call out of every structure that knows it; its Call-ID leaves a tombstone. */
  private release(call: CallState, now: number): void {
    const { wheel } = this.ctx;
    call.ended = true;
    wheel.cancel(call.retransTimer);
    wheel.cancel(call.stepTimer);
    this.ctx.registry.remove(call, now);
    call.endpoint.openCalls--;
    this.ctx.transport()?.release(call.endpoint);
    this.ctx.stats.openCalls--;
    this.ctx.factory.release(call);
    this.ctx.media?.release(call);
  }
}
