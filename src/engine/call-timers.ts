/**
 * What a call's timers say: a receive timed out (ontimeout= or the call fails), a pause is over, a
 * message is due for retransmission (RFC 3261 §17.1.1.2 / §17.1.2.2 timers, SIPp's limits).
 */
import { StepKind } from '../scenario/compile.js';
import { Counter, StepCounter } from '../stats/stats.js';
import { Failure, SUCCESS } from '../events/outcome.js';
import { TimerKind, type CallState, type CallTimer } from './call.js';
import { abort } from './hang-up.js';
import type { CallHost } from './host.js';
import { maxRetrans, nextRetransInterval } from './retransmit.js';
import { runCall } from './run-call.js';
import { sendFailure } from './send-step.js';
import { finishStep } from './step-flow.js';
import { awaitedStep } from './step-search.js';

export function onTimer(host: CallHost, timer: CallTimer): void {
  const call = timer.call;
  if (call.ended) return;
  if (timer.kind === TimerKind.Retrans) {
    retransmit(host, call);
    return;
  }
  const step = host.scenario.steps[call.stepIndex];
  if (step === undefined) {
    host.finish(call, SUCCESS);
    return;
  }
  if (step.kind === StepKind.Recv || step.kind === StepKind.RecvCmd) {
    const awaited = awaitedStep(host.scenario.steps, call.stepIndex);
    host.stats.step(awaited, StepCounter.timeouts);
    host.traceError?.(
      `Call-Id '${call.callId}' timed out while waiting for '${host.scenario.steps[awaited]?.title.trim() ?? ''}' (index ${awaited})${step.onTimeoutIndex >= 0 ? ': going on at the ontimeout label' : ''}`,
    );
    if (step.onTimeoutIndex >= 0) {
      call.stepIndex = step.onTimeoutIndex;
      runCall(host, call);
      return;
    }
    abort(host, call, Failure.FailedTimeoutOnRecv);
    return;
  }
  if (step.kind === StepKind.Pause && !finishStep(host, call, step, call.stepIndex)) return;
  runCall(host, call);
}

function retransmit(host: CallHost, call: CallState): void {
  if (call.retransCount >= maxRetrans(call.lastSentIsInvite, host.settings)) {
    host.traceError?.(
      `Call-Id '${call.callId}': no answer to '${host.scenario.steps[call.lastSentIndex]?.title.trim() ?? ''}' (index ${call.lastSentIndex}) after ${call.retransCount} retransmissions`,
    );
    abort(host, call, Failure.FailedMaxUDPRetrans);
    return;
  }
  call.retransCount++;
  if (!host.send(call, call.lastSent)) {
    host.finish(call, sendFailure(call));
    return;
  }
  host.stats.step(call.lastSentIndex, StepCounter.retrans);
  host.stats.count(Counter.Retransmissions);
  call.retransIntervalMs = nextRetransInterval(call.retransIntervalMs, call.lastSentIsInvite, host.settings.t2Ms);
  host.wheel.schedule(call.retransTimer, host.now() + call.retransIntervalMs);
}
