/**
 * How a step hands the call on, whatever its kind: its actions run, then a <jump>, next= (with test= and
 * chance=) or the following step; and its response-time marks. Shared by sending, receiving and timers.
 */
import { StepKind, type CompiledStep } from '../scenario/compile.js';
import type { SipMessage } from '../sip/message.js';
import { ACTIONS_ENDED_CALL, ACTIONS_OK, getVar, isSet, runActions } from './actions.js';
import type { CallState } from './call.js';
import type { CallHost } from './host.js';

/**
 * Runs the step's actions and moves to the next step: a <jump>, else `next` (when test= and chance=
 * allow it), else `otherwise` (the following step, unless said). False when the call ended.
 */
export function finishStep(
  host: CallHost,
  call: CallState,
  step: CompiledStep,
  index: number,
  otherwise = index + 1,
  command?: SipMessage,
): boolean {
  if (step.counter >= 0) host.stats.countUser(step.counter);
  if (step.actions.length > 0) {
    // SIPp's ereg reads, on a <send>, the message just sent; on a <recvCmd>, the twin's command.
    const r = runActions(host, call, step.actions, step.kind === StepKind.Send ? call.lastSent : command?.raw);
    if (r === ACTIONS_ENDED_CALL) return false;
    if (r !== ACTIONS_OK) {
      host.finish(call, r);
      return false;
    }
  }
  if (call.jumpTo >= 0) {
    call.stepIndex = call.jumpTo;
    call.jumpTo = -1;
    return true;
  }
  call.stepIndex = nextIndexAfter(host, call, step, otherwise);
  return true;
}

/** `next` when test= and chance= allow it, else `otherwise` (the following step, unless told). */
export function nextIndexAfter(host: CallHost, call: CallState, step: CompiledStep, otherwise: number): number {
  const takeNext =
    step.nextIndex >= 0 && (step.test === undefined || isSet(getVar(call, step.test))) && (step.chance >= 1 || host.random() < step.chance);
  return takeNext ? step.nextIndex : otherwise;
}

/** start_rtd / rtd on a step: response times run from start_rtd, or from the call's start. */
export function markRtd(host: CallHost, call: CallState, step: CompiledStep): void {
  if (step.startRtd >= 0) call.rtdStartMs[step.startRtd] = host.now();
  if (step.rtd >= 0) {
    const started = call.rtdStartMs[step.rtd] ?? Number.NaN;
    if (started === -1) return; // measured once per call, like SIPp without repeat_rtd
    const ms = host.now() - (Number.isNaN(started) ? call.startMs : started);
    host.stats.recordRtd(step.rtd, ms);
    host.traceRtt?.(step.rtd, ms);
    // Without repeat_rtd a response time is measured once per call (SIPp); with it, again at every pass.
    call.rtdStartMs[step.rtd] = step.repeatRtd ? Number.NaN : -1;
  }
}
