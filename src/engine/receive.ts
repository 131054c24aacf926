/**
 * A SIP message for a call: which step it matches (ahead, or a global one behind), and what SIPp does
 * with one that matches none: answer a repeat again, absorb a late copy, auto-answer, hand it to
 * _unexp.main, or count it and ignore it or abort the call.
 */
import { StepKind } from '../scenario/compile.js';
import type { SipMessage } from '../sip/message.js';
import { parseMessage } from '../sip/parser.js';
import { buildAckOfError } from '../sip/requests.js';
import { buildResponse } from '../sip/response.js';
import { Counter, StepCounter } from '../stats/stats.js';
import { Failure } from '../events/outcome.js';
import { setVar } from './actions.js';
import type { CallState } from './call.js';
import { onTimer } from './call-timers.js';
import { abort } from './hang-up.js';
import type { CallHost } from './host.js';
import { findBackward, findForward, findGlobal, isRetransmissionOf } from './matcher.js';
import { renderTemplate } from './render.js';
import { runCall } from './run-call.js';
import { awaitedAt } from './step-search.js';
import { take } from './take.js';

/** How long before its deadline a pause counts as over for a message that arrives: a coarse clock's tick. */
const PAUSE_SLACK_MS = 10;

/** A message for this call arrived. */
export function receive(host: CallHost, call: CallState, msg: SipMessage): void {
  const steps = host.scenario.steps;
  if (steps[call.stepIndex]?.kind === StepKind.Pause && call.stepTimer.armed) {
    // A pause is over at its deadline, not at the timer tick after it (up to -timer_resol later): a message
    // that comes in between finds the call past the pause. SIPp compat: SIPp's clock is the kernel's coarse
    // one (CLOCK_MONOTONIC_COARSE, time.cpp), a tick behind at worst (4 ms at HZ=250, 10 ms at HZ=100), so a
    // SIPp peer's pause of the same length, begun by what we sent just before ours, can end that much before
    // ours (2.3 ms measured on the wire here); its next message is taken as coming after our pause.
    if (call.stepTimer.deadlineMs - PAUSE_SLACK_MS <= host.now()) {
      host.wheel.cancel(call.stepTimer);
      onTimer(host, call.stepTimer);
      if (call.ended) return;
    }
    // SIPp compat: -pause_msg_ign drops what comes during a pause before anything looks at it (call.cpp,
    // process_incoming); a request the peer retransmits is taken after the pause.
    // onTimer above may have moved the call on and disarmed the timer, which the type checker does not see.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
    if (host.settings.pauseMsgIgnore === true && steps[call.stepIndex]?.kind === StepKind.Pause && call.stepTimer.armed) return;
  }
  const at = findForward(steps, call.stepIndex, msg, call);
  if (at >= 0) {
    take(host, call, msg, at, false);
    return;
  }
  // A repeat of the request last answered is answered again (notExpected), not taken anew, as in SIPp
  // where retransmissions are told before any matching.
  const answered = call.answered;
  if (answered === undefined || !isRetransmissionOf(msg, answered)) {
    const global = findGlobal(steps, call.stepIndex, msg, call);
    if (global >= 0) {
      take(host, call, msg, global, true);
      return;
    }
  }
  notExpected(host, call, msg);
}

/** The 200 OK a default behaviour answers `req` with: the scenario's <DefaultMessage id="200">, else sipts's own. */
function defaultOk(host: CallHost, call: CallState, req: SipMessage): string {
  const t = host.scenario.defaultMessages.ok;
  if (t === undefined) return buildResponse(req, 200, 'OK', '');
  // SIPp renders it with the request as the last message received ([last_Via:] …).
  const last = call.lastRecv;
  call.lastRecv = req;
  const raw = renderTemplate(t, call, -1);
  call.lastRecv = last;
  return raw;
}

/** What -aa answers 200 OK, in a call and out of any call. */
export const AUTO_ANSWERED: ReadonlySet<string> = new Set(['INFO', 'NOTIFY', 'OPTIONS', 'UPDATE']);

/** What SIPp does with a message that is not the expected one. */
function notExpected(host: CallHost, call: CallState, msg: SipMessage): void {
  const answered = call.answered;
  if (answered !== undefined && isRetransmissionOf(msg, answered, host.settings.looseRetransCheck)) {
    // The peer repeated a message we answered, so it missed the answer: send that answer again. Not the last
    // message sent: after 200 (INVITE) → ACK → BYE, a repeated 200 wants the ACK (RFC 3261 §13.2.2.4).
    // SIPp compat: a repeated response gets the first message sent after it, whatever it is.
    host.stats.step(call.answeredIndex, StepCounter.retrans);
    host.send(call, call.answer);
    host.stats.step(call.answerIndex, StepCounter.retrans);
    host.stats.count(Counter.Retransmissions);
    return;
  }
  const earlier = findBackward(host.scenario.steps, call.stepIndex, msg);
  if (earlier >= 0) {
    host.stats.step(earlier, StepCounter.retrans);
    return;
  } // a late copy of something handled
  const isRequest = msg.status === 0;
  const behaviors = host.settings.behaviors;
  // -aa, and the "pingreply" behaviour: answer 200 OK and let the call go on.
  if (isRequest && ((host.settings.autoAnswer && AUTO_ANSWERED.has(msg.method)) || (behaviors.pingreply && msg.method === 'PING'))) {
    host.send(call, defaultOk(host, call, msg));
    host.stats.count(Counter.AutoAnswered);
    return;
  }
  host.stats.step(awaitedAt(host.scenario.steps, call.stepIndex), StepCounter.unexpected);
  host.stats.unexpected(isRequest ? msg.method : `${msg.status} (${msg.cseqMethod})`);
  if (!isRequest) host.traceUnexpectedStatus?.(msg.status);
  // SIPp compat: a scenario with <label id="_unexp.main"/> handles unexpected messages itself. It learns
  // where the call was (_unexp.retaddr) and when a running pause was to end (_unexp.pausedaddr, ms since
  // start, 0 for none), and the message is offered to its first <recv>.
  const unexp = host.scenario.unexpectedVars;
  if (unexp !== undefined && !call.handlingUnexpected) {
    const current = host.scenario.steps[call.stepIndex];
    const pausedUntil =
      current?.kind === StepKind.Pause && call.stepTimer.armed ? call.stepTimer.deadlineMs - (host.now() - call.clockTick()) : 0;
    setVar(call, unexp.retaddr, call.stepIndex);
    setVar(call, unexp.pausedaddr, pausedUntil);
    host.wheel.cancel(call.retransTimer);
    host.wheel.cancel(call.stepTimer);
    call.stepIndex = host.scenario.unexpectedIndex;
    if (host.scenario.steps[call.stepIndex]?.kind === StepKind.Recv) {
      call.handlingUnexpected = true;
      receive(host, call, msg);
      call.handlingUnexpected = false;
    } else {
      call.lastRecv = msg;
      runCall(host, call);
    }
    return;
  }
  if (host.traceError !== undefined) {
    const expected = host.scenario.steps[awaitedAt(host.scenario.steps, call.stepIndex)];
    host.traceError(
      `${behaviors.abortunexp ? 'Aborting call' : 'Ignoring'} on unexpected message for Call-Id '${call.callId}': while expecting '${expected?.title.trim() ?? 'end of scenario'}' (index ${call.stepIndex}), received '${msg.raw}'`,
    );
  }
  if (!behaviors.abortunexp) return; // counted, and otherwise ignored
  // SIPp compat: a 3PCC call aborted on an unexpected message tells its twin, which aborts its side too.
  if (call.stepIndex > 0) host.abortTwin(call);
  // An unexpected BYE or CANCEL ends the call, but is still answered.
  if (isRequest && (msg.method === 'BYE' || msg.method === 'CANCEL')) {
    host.send(call, defaultOk(host, call, msg));
    host.finish(call, Failure.FailedUnexpectedMessage);
    return;
  }
  // RFC 3261 §17.1.1.3: a final error response to our INVITE is ACKed whatever the scenario expected (SIPp's
  // abortCall sends its "ack" default message for 4xx and up); the call then ends, with nothing left to release.
  if (!isRequest && msg.status >= 300 && msg.cseqMethod === 'INVITE' && !call.dialogConfirmed) {
    const invite = parseMessage(call.hangUpBase);
    if (invite.ok && invite.msg.method === 'INVITE' && invite.msg.cseq === msg.cseq) {
      host.send(call, buildAckOfError(invite.msg, msg));
      host.finish(call, Failure.FailedUnexpectedMessage);
      return;
    }
  }
  abort(host, call, Failure.FailedUnexpectedMessage);
}
