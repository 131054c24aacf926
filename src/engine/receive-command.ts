/** A 3PCC command from the twin instance for a call: SIPp's rules for where it may land. */
import { StepKind, type CompiledStep } from '../scenario/compile.js';
import { commandAsMessage, type TwinCommand } from '../sip/twin-command.js';
import { StepCounter } from '../stats/stats.js';
import { Failure } from '../events/outcome.js';
import type { CallState } from './call.js';
import { abort } from './hang-up.js';
import type { CallHost } from './host.js';
import { runCall } from './run-call.js';
import { finishStep, markRtd } from './step-flow.js';
import { awaitedAt } from './step-search.js';

/**
 * A command from the 3PCC twin for this call. SIPp compat (call.cpp process_twinSippCom): from the current
 * step, optional steps and nops may be passed over to reach a <recvCmd>; any other step first, or a sender
 * other than its src= (extended 3PCC), rejects the call. `internal-cmd: abort_call` (the twin aborted its
 * side) aborts it. The command does not become the last message: [last_*] still read the last SIP one.
 */
export function receiveCommand(host: CallHost, call: CallState, cmd: TwinCommand): void {
  if (cmd.internal === 'abort_call') {
    abort(host, call, Failure.FailedCallRejected);
    return;
  }
  const steps = host.scenario.steps;
  let at = -1;
  for (let j = call.stepIndex; j < steps.length; j++) {
    const s = steps[j] as CompiledStep;
    if (s.kind === StepKind.RecvCmd) {
      at = j;
      break;
    }
    if (!s.optional && s.kind !== StepKind.Nop) break;
  }
  const step = steps[at];
  if (step === undefined || (host.extendedTwin && step.peer !== cmd.from)) {
    host.traceError?.(
      `Call-Id '${call.callId}': unexpected twin command${step === undefined ? '' : ` from "${cmd.from}" (expected from "${step.peer}")`} at index ${call.stepIndex}: '${cmd.text}'`,
    );
    host.stats.step(awaitedAt(steps, call.stepIndex), StepCounter.unexpected);
    host.finish(call, Failure.FailedCallRejected);
    return;
  }
  host.wheel.cancel(call.stepTimer);
  host.stats.step(at, StepCounter.recv);
  markRtd(host, call, step);
  if (finishStep(host, call, step, at, at + 1, commandAsMessage(cmd))) runCall(host, call);
}
