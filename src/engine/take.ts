/**
 * A received message that matched a receive step: the call learns from it (tags, route set, dialog
 * target, pending transactions), runs the step's actions and goes on. Matching itself is receive.ts's.
 */
import type { CompiledStep } from '../scenario/compile.js';
import { headerValue, headerValues, uriOf } from '../sip/headers.js';
import { detach, type SipMessage } from '../sip/message.js';
import { StepCounter } from '../stats/stats.js';
import { ACTIONS_ENDED_CALL, ACTIONS_OK, runActions } from './actions.js';
import { withoutMethod, type CallState, type DialogTarget } from './call.js';
import type { CallHost } from './host.js';
import { runCall } from './run-call.js';
import { finishStep, markRtd } from './step-flow.js';

/**
 * The call takes `msg` as the receive step `at`. `behind`: that step lies behind the call (optional="global");
 * SIPp compat: the call then goes on from it only when its `next` is taken, and otherwise stays where it
 * was, its wait (a receive's timeout, a pause) running on; the retransmission of a request sent after
 * that step goes on too, since this message does not answer it.
 */
export function take(host: CallHost, call: CallState, msg: SipMessage, at: number, behind: boolean): void {
  const step = host.scenario.steps[at] as CompiledStep;
  if (step.lostPercent > 0 && host.random() * 100 < step.lostPercent) {
    host.stats.step(at, StepCounter.lost);
    return;
  }
  if (!behind || at > call.lastSentIndex) {
    // RFC 3261 §17.1.2.2: a provisional response moves a non-INVITE transaction to Proceeding, where its
    // request is still retransmitted, every T2, until a final response (SIPp does the same). Anything else stops it.
    if (msg.status > 0 && msg.status < 200 && msg.cseqMethod !== 'INVITE' && !call.lastSentIsInvite && call.retransTimer.armed) {
      call.retransIntervalMs = host.settings.t2Ms;
      host.wheel.schedule(call.retransTimer, host.now() + host.settings.t2Ms);
    } else host.wheel.cancel(call.retransTimer);
  }
  const here = call.stepIndex;
  if (!behind) host.wheel.cancel(call.stepTimer);
  host.stats.step(at, StepCounter.recv);
  if (!step.advanceState) {
    stayAfter(host, call, step, msg, behind);
    return;
  }
  call.lastRecv = msg;
  call.lastRecvIndex = at;
  // SIPp compat: the SDP of what a call receives says where its media goes (call.cpp get_remote_media_addr).
  if (host.media !== undefined && host.scenario.hasMedia && !step.ignoreSdp) host.media.received(call, msg);
  call.unanswered = true;
  // RFC 3261 §17.2.1, RFC 6026 §8.7: once the ACK has come, the INVITE's retransmissions are absorbed, not
  // answered (a late copy is counted by notExpected as a retransmission of its step), so its response need
  // not be kept for the rest of the call.
  if (msg.method === 'ACK' && call.answered?.method === 'INVITE' && call.answered.cseq === msg.cseq) {
    call.answered = undefined;
    call.answer = '';
  }
  const tag = msg.status === 0 ? msg.fromTag : msg.toTag;
  // Made when the tag changes, not for every message; detached: the call keeps the tag to its end, not the
  // message it came in.
  if (tag !== '' && !(call.peerTagParam.length === tag.length + 5 && call.peerTagParam.endsWith(tag)))
    call.peerTagParam = detach(`;tag=${tag}`);
  if (msg.status >= 200) call.pending = withoutMethod(call.pending, msg.cseqMethod);
  if (msg.status !== 0 && msg.cseqMethod === 'INVITE') {
    if (msg.status < 200) call.inviteProvisional = true;
    else if (msg.status < 300) call.dialogTarget = dialogTarget(msg);
  }
  if (step.rrs) recordRoutes(call, msg);
  markRtd(host, call, step);
  if (!finishStep(host, call, step, at, behind ? here : at + 1)) return;
  if (behind) {
    if (call.stepIndex === here) return; // waits on where it was
    host.wheel.cancel(call.stepTimer);
  }
  runCall(host, call);
}

/**
 * SIPp's advance_state="false" on an optional receive: the message is counted and its actions run on it,
 * but the call neither moves nor takes it as its last message; it goes on waiting where it was.
 */
function stayAfter(host: CallHost, call: CallState, step: CompiledStep, msg: SipMessage, behind: boolean): void {
  if (msg.status >= 200) call.pending = withoutMethod(call.pending, msg.cseqMethod);
  markRtd(host, call, step);
  if (step.counter >= 0) host.stats.countUser(step.counter);
  if (step.actions.length > 0) {
    const last = call.lastRecv;
    call.lastRecv = msg;
    const r = runActions(host, call, step.actions);
    call.lastRecv = last;
    if (r === ACTIONS_ENDED_CALL) return;
    if (r !== ACTIONS_OK) {
      host.finish(call, r);
      return;
    }
  }
  call.jumpTo = -1;
  // The call waits on where it was: a receive it waited at waits again; a wait running behind it runs on.
  if (!behind) runCall(host, call);
}

/**
 * RFC 3261 §12.1.2: the remote target (Contact) and route set (Record-Route, reversed) of the 2xx that
 * confirmed the dialog, whether rrs recorded them or not; what a BYE on abort is sent by. Detached from
 * the 2xx, so that a call need not keep it.
 */
function dialogTarget(ok: SipMessage): DialogTarget {
  const contact = headerValue(ok, 'contact');
  const rr = headerValues(ok, 'record-route').reverse();
  return {
    remoteTarget: contact === undefined ? undefined : detach(uriOf(contact)),
    routes: rr.length > 0 ? detach(`Route: ${rr.join(', ')}`) : undefined,
  };
}

/** RFC 3261 §12.1.1 / §12.1.2: the route set from Record-Route (reversed at the UAC) and the remote target. */
function recordRoutes(call: CallState, msg: SipMessage): void {
  const rr = headerValues(msg, 'record-route');
  if (msg.status !== 0) rr.reverse();
  call.routes = rr.length > 0 ? `Route: ${rr.join(', ')}` : '';
  const contact = headerValue(msg, 'contact');
  if (contact !== undefined) call.nextUrl = uriOf(contact);
}
