/**
 * The run loop of a call: walks its steps from call.stepIndex until one blocks (a receive, a pause, a
 * congested send) or the call ends, and SIPp's <init> steps. What arrives for a call is receive.ts's;
 * what its timers say is call-timers.ts's.
 */
import { StepKind, type CompiledStep } from '../scenario/compile.js';
import { StepCounter } from '../stats/stats.js';
import { ACTIONS_OK, getVar, isSet, runActions } from './actions.js';
import type { CallState } from './call.js';
import type { CallHost } from './host.js';
import { INT_MAX, pauseFromVar, sampledPauseMs } from './pause-length.js';
import { SEND_ENDED, SEND_WAITING, sendCommandStep, sendStep } from './send-step.js';
import { finishStep, markRtd, nextIndexAfter } from './step-flow.js';
import { SUCCESS } from '../events/outcome.js';

/** Runs steps from call.stepIndex until the call waits or ends. */
export function runCall(host: CallHost, call: CallState): void {
  const steps = host.scenario.steps;
  // SIPp compat: a pause is timed from the clock read when the call began this run (SIPp's run() reads its
  // clock once on entry, call.cpp), not from after the sends before it. The peer's pause that our last send
  // began then starts no earlier than ours, and its next message does not come while ours goes on.
  const runStart = host.now();
  // A scenario whose jumps loop without a blocking step would never yield: bound the work per turn.
  for (let budget = 10_000; budget > 0 && !call.ended; budget--) {
    const index = call.stepIndex;
    const step = steps[index];
    if (step === undefined) {
      host.finish(call, SUCCESS);
      return;
    }
    // SIPp: a step whose condexec variable is not set (set, with condexec_inverse) is skipped, but its
    // next= (with test= and chance=) still applies, as SIPp's next() reads it.
    if (step.condexec !== undefined && isSet(getVar(call, step.condexec)) === step.condexecInverse) {
      call.stepIndex = nextIndexAfter(host, call, step, index + 1);
      continue;
    }
    switch (step.kind) {
      case StepKind.Send: {
        const sent = sendStep(host, call, step, index);
        if (sent === SEND_ENDED) return;
        if (sent === SEND_WAITING) {
          park(host, call, index);
          return;
        }
        markRtd(host, call, step);
        if (!finishStep(host, call, step, index)) return;
        break;
      }
      case StepKind.SendCmd:
        if (!sendCommandStep(host, call, step, index)) return;
        markRtd(host, call, step);
        if (!finishStep(host, call, step, index)) return;
        break;
      case StepKind.Recv:
      case StepKind.RecvCmd: {
        const timeout = recvTimeout(host, call, step);
        if (timeout > 0) host.wheel.schedule(call.stepTimer, host.now() + timeout);
        park(host, call, index);
        return;
      }
      case StepKind.Pause: {
        // SIPp compat: a pause's message count is the calls that entered it.
        host.stats.step(index, StepCounter.sent);
        markRtd(host, call, step);
        let ms =
          step.pauseVar !== undefined
            ? pauseFromVar(getVar(call, step.pauseVar))
            : step.pauseDistribution !== undefined
              ? sampledPauseMs(step.pauseDistribution, host.random)
              : step.pauseMs >= 0
                ? step.pauseMs
                : host.settings.defaultPauseMs;
        // SIPp caps every pause at INT_MAX ms.
        if (ms > INT_MAX) ms = INT_MAX;
        // <pauserestore>: an interrupted pause goes on until its first deadline, not a fresh one.
        if (call.restoredPauseAt > 0) {
          ms = Math.max(0, call.restoredPauseAt - call.clockTick());
          call.restoredPauseAt = 0;
        }
        if (ms > 0) {
          host.wheel.schedule(call.stepTimer, runStart + ms);
          park(host, call, index);
          return;
        }
        if (!finishStep(host, call, step, index)) return;
        break;
      }
      case StepKind.Nop:
        markRtd(host, call, step);
        if (!finishStep(host, call, step, index)) return;
        break;
    }
  }
  if (!call.ended) host.wheel.schedule(call.stepTimer, host.now()); // continue on a later turn
}

/**
 * Runs SIPp's <init> steps (nops and labels only) for the run-once call: conditions, actions, jumps and
 * next= within <init>, until its end. Bounded like runCall, so a loop cannot hang the start.
 */
export function runInit(host: CallHost, call: CallState, steps: readonly CompiledStep[]): void {
  let index = 0;
  for (let budget = 10_000; budget > 0 && !call.ended; budget--) {
    const step = steps[index];
    if (step === undefined) return;
    if (step.condexec !== undefined && isSet(getVar(call, step.condexec)) === step.condexecInverse) {
      index = nextIndexAfter(host, call, step, index + 1);
      continue;
    }
    // SIPp counts nothing for the init call (computeStat returns at once for it).
    if (step.actions.length > 0 && runActions(host, call, step.actions) !== ACTIONS_OK) return;
    if (call.jumpTo >= 0) {
      index = call.jumpTo;
      call.jumpTo = -1;
      continue;
    }
    index = nextIndexAfter(host, call, step, index + 1);
  }
}

/**
 * A call about to wait lets go of what it will not read: its last received message when nothing reads it
 * before the next receive (scenario/last-use.ts), and its last sent one when it is not retransmitting.
 * The received one stays while it waits for its answer, whose key is taken at the next send, unless it is
 * an ACK, which is never answered (RFC 3261 §17.1.1.3).
 */
function park(host: CallHost, call: CallState, index: number): void {
  if (host.scenario.keepsLast[index] === false && (!call.unanswered || call.lastRecv?.method === 'ACK')) call.lastRecv = undefined;
  // The last message sent is read only to retransmit it.
  if (!call.retransTimer.armed) call.lastSent = '';
}

/**
 * The step's timeout, else -recv_timeout, else — while an INVITE is pending and no longer retransmitted,
 * i.e. it has had a provisional response — timer C, so a call never waits for ever on a dead peer.
 */
function recvTimeout(host: CallHost, call: CallState, step: CompiledStep): number {
  if (step.timeoutMs > 0) return step.timeoutMs;
  if (host.settings.recvTimeoutMs > 0) return host.settings.recvTimeoutMs;
  return !call.retransTimer.armed && call.pending.includes('INVITE') ? host.settings.provisionalTimeoutMs : 0;
}
