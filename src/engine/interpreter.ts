/**
 * Moves a call through its scenario: walks steps until one blocks (a receive, a pause), handles what
 * arrives for it and what its timers say. Returns nothing and never throws on wire trouble: a failed
 * call is ended through host.finish with its reason.
 */
import { StepKind, type CompiledStep } from '../scenario/compile.js';
import { renderTemplate } from '../scenario/template.js';
import { headerValue, headerValues, uriOf } from '../sip/headers.js';
import { detach, type SipMessage } from '../sip/message.js';
import { parseMessage } from '../sip/parser.js';
import { commandAsMessage, type TwinCommand } from '../sip/twin-command.js';
import { buildAckOfError, buildBye, buildCancel } from '../sip/requests.js';
import { buildResponse } from '../sip/response.js';
import { Counter, StepCounter } from '../stats/stats.js';
import { ACTIONS_ENDED_CALL, ACTIONS_OK, getVar, isSet, runActions, setVar } from './actions.js';
import { TimerKind, withoutMethod, type CallState, type CallTimer, type DialogTarget } from './call.js';
import type { CallHost } from './host.js';
import { findBackward, findForward, findGlobal, isRetransmissionOf, retransKeyOf } from './matcher.js';
import { Failure } from '../events/outcome.js';
import { maxRetrans, nextRetransInterval } from './retransmit.js';
import { INT_MAX, pauseFromVar, sampledPauseMs } from './pause-length.js';
import { awaitedAt, awaitedStep } from './step-search.js';

/** Runs steps from call.stepIndex until the call waits or ends. */
export function runCall(host: CallHost, call: CallState): void {
  const steps = host.scenario.steps;
  // A scenario whose jumps loop without a blocking step would never yield: bound the work per turn.
  for (let budget = 10_000; budget > 0 && !call.ended; budget--) {
    const index = call.stepIndex;
    const step = steps[index];
    if (step === undefined) { host.finish(call, -1); return; }
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
        if (sent === SEND_WAITING) { park(host, call, index); return; }
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
        let ms = step.pauseVar !== undefined ? pauseFromVar(getVar(call, step.pauseVar))
          : step.pauseDistribution !== undefined ? sampledPauseMs(step.pauseDistribution, host.random)
            : step.pauseMs >= 0 ? step.pauseMs : host.settings.defaultPauseMs;
        // SIPp caps every pause at INT_MAX ms.
        if (ms > INT_MAX) ms = INT_MAX;
        // <pauserestore>: an interrupted pause goes on until its first deadline, not a fresh one.
        if (call.restoredPauseAt > 0) { ms = Math.max(0, call.restoredPauseAt - call.clockTick()); call.restoredPauseAt = 0; }
        if (ms > 0) { host.wheel.schedule(call.stepTimer, host.now() + ms); park(host, call, index); return; }
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
    if (step.condexec !== undefined && isSet(getVar(call, step.condexec)) === step.condexecInverse) { index = nextIndexAfter(host, call, step, index + 1); continue; }
    // SIPp counts nothing for the init call (computeStat returns at once for it).
    if (step.actions.length > 0 && runActions(host, call, step.actions) !== ACTIONS_OK) return;
    if (call.jumpTo >= 0) { index = call.jumpTo; call.jumpTo = -1; continue; }
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
 * Runs the step's actions and moves to the next step: a <jump>, else `next` (when test= and chance=
 * allow it), else `otherwise` (the following step, unless said). False when the call ended.
 */
function finishStep(host: CallHost, call: CallState, step: CompiledStep, index: number, otherwise = index + 1, command?: SipMessage): boolean {
  if (step.counter >= 0) host.stats.countUser(step.counter);
  if (step.actions.length > 0) {
    // SIPp's ereg reads, on a <send>, the message just sent; on a <recvCmd>, the twin's command.
    const r = runActions(host, call, step.actions, step.kind === StepKind.Send ? call.lastSent : command?.raw);
    if (r === ACTIONS_ENDED_CALL) return false;
    if (r !== ACTIONS_OK) { host.finish(call, r); return false; }
  }
  if (call.jumpTo >= 0) { call.stepIndex = call.jumpTo; call.jumpTo = -1; return true; }
  call.stepIndex = nextIndexAfter(host, call, step, otherwise);
  return true;
}

/** `next` when test= and chance= allow it, else `otherwise` (the following step, unless told). */
function nextIndexAfter(host: CallHost, call: CallState, step: CompiledStep, otherwise: number): number {
  const takeNext = step.nextIndex >= 0
    && (step.test === undefined || isSet(getVar(call, step.test)))
    && (step.chance >= 1 || host.random() < step.chance);
  return takeNext ? step.nextIndex : otherwise;
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

const SEND_DONE = 0;
const SEND_ENDED = 1;
const SEND_WAITING = 2;
/** How often a send waiting for a congested connection looks again (ms). */
const SEND_RETRY_MS = 10;

/**
 * Renders and sends one message: SEND_DONE, SEND_ENDED when the call ended because it could not be sent,
 * or SEND_WAITING when the connection is congested and a send timeout lets the call wait for it.
 */
function sendStep(host: CallHost, call: CallState, step: CompiledStep, index: number): number {
  const t = step.template;
  if (t === undefined) return SEND_DONE;
  // SIPp: a send that would block is tried again until the step's timeout= (else -send_timeout) passes,
  // then the call fails (FailedTimeoutOnSend) and is hung up. Node queues what a socket cannot take, so
  // sipts waits while the connection's queue is over its high-water mark, and only when a timeout is set.
  const sendTimeout = step.sendTimeoutMs > 0 ? step.sendTimeoutMs : host.settings.sendTimeoutMs ?? 0;
  if (sendTimeout > 0 && call.endpoint.congested === true) {
    const now = host.now();
    if (call.sendDeadline === 0) call.sendDeadline = now + sendTimeout;
    else if (now >= call.sendDeadline) {
      call.sendDeadline = 0;
      host.traceError?.(`Call-Id '${call.callId}': send timeout on '${step.title.trim()}' (index ${index}): aborting call`);
      abort(host, call, Failure.FailedTimeoutOnSend);
      return SEND_ENDED;
    }
    host.wheel.schedule(call.stepTimer, Math.min(call.sendDeadline, now + SEND_RETRY_MS));
    return SEND_WAITING;
  }
  call.sendDeadline = 0;
  let method = t.method;
  // RFC 3261 §12.2.1.1: each new request in a dialog takes the next CSeq; ACK and CANCEL reuse the INVITE's.
  if (method !== undefined && method !== '' && method !== 'ACK' && method !== 'CANCEL') {
    if (call.cseqUsed) call.cseq++;
    call.cseqUsed = true;
  }
  const raw = renderTemplate(t, call, index);
  if (method === undefined) method = raw.startsWith('SIP/2.0 ') ? '' : raw.slice(0, raw.indexOf(' '));
  if (method !== '' && method !== 'ACK' && !call.pending.includes(method)) call.pending = [...call.pending, method];
  call.lastSent = raw;
  call.lastSentIndex = index;
  call.lastSentIsInvite = method === 'INVITE';
  if (call.unanswered) {
    call.unanswered = false;
    call.answered = call.lastRecv === undefined ? undefined : retransKeyOf(call.lastRecv);
    call.answeredIndex = call.lastRecvIndex;
    call.answer = raw;
    call.answerIndex = index;
  } else if (call.answered?.status === 0 && method === '') {
    // RFC 3261 §17.2.1 and RFC 6026 §7.1: a repeated request gets the latest response sent to it (the 200
    // after the 180), not the first; SIPp resends the 180, which a UAC that has its 200 takes as unexpected.
    call.answer = raw;
    call.answerIndex = index;
  }
  if (step.startTxn >= 0) {
    const parsed = parseMessage(raw);
    if (parsed.ok) {
      const txns = call.txns ??= { cseq: [], method: [] };
      txns.cseq[step.startTxn] = parsed.msg.cseq;
      txns.method[step.startTxn] = parsed.msg.cseqMethod;
    }
  }
  if (method === 'INVITE') { call.hangUpBase = raw; call.inviteProvisional = false; call.dialogTarget = undefined; }
  else if (method === 'BYE') call.byeSent = true;
  else if (method === 'ACK' && call.dialogConfirmed) call.hangUpBase = raw;
  host.wheel.cancel(call.retransTimer);
  if (step.lostPercent > 0 && host.random() * 100 < step.lostPercent) {
    host.stats.step(index, StepCounter.lost);
  } else {
    if (!host.send(call, raw)) { host.finish(call, Failure.FailedCannotSendMessage); return SEND_ENDED; }
    host.stats.step(index, StepCounter.sent);
  }
  if (step.retransMs > 0 && !host.reliable && host.settings.retransmissions) {
    call.retransCount = 0;
    call.retransIntervalMs = step.retransMs;
    host.wheel.schedule(call.retransTimer, host.now() + step.retransMs);
  }
  return SEND_DONE;
}

/** Renders a <sendCmd> and sends it to the twin; false when the call ended because it could not be sent. */
function sendCommandStep(host: CallHost, call: CallState, step: CompiledStep, index: number): boolean {
  if (step.template === undefined) return true;
  if (!host.sendCommand(call, step.peer, renderTemplate(step.template, call, index))) {
    host.finish(call, Failure.FailedCmdNotSent);
    return false;
  }
  host.stats.step(index, StepCounter.sent);
  return true;
}

/**
 * A command from the 3PCC twin for this call. SIPp compat (call.cpp process_twinSippCom): from the current
 * step, optional steps and nops may be passed over to reach a <recvCmd>; any other step first, or a sender
 * other than its src= (extended 3PCC), rejects the call. `internal-cmd: abort_call` (the twin aborted its
 * side) aborts it. The command does not become the last message: [last_*] still read the last SIP one.
 */
export function receiveCommand(host: CallHost, call: CallState, cmd: TwinCommand): void {
  if (cmd.internal === 'abort_call') { abort(host, call, Failure.FailedCallRejected); return; }
  const steps = host.scenario.steps;
  let at = -1;
  for (let j = call.stepIndex; j < steps.length; j++) {
    const s = steps[j] as CompiledStep;
    if (s.kind === StepKind.RecvCmd) { at = j; break; }
    if (!s.optional && s.kind !== StepKind.Nop) break;
  }
  const step = steps[at];
  if (step === undefined || (host.extendedTwin && step.peer !== cmd.from)) {
    host.traceError?.(`Call-Id '${call.callId}': unexpected twin command${step === undefined ? '' : ` from "${cmd.from}" (expected from "${step.peer}")`} at index ${call.stepIndex}: '${cmd.text}'`);
    host.stats.step(awaitedAt(steps, call.stepIndex), StepCounter.unexpected);
    host.finish(call, Failure.FailedCallRejected);
    return;
  }
  host.wheel.cancel(call.stepTimer);
  host.stats.step(at, StepCounter.recv);
  markRtd(host, call, step);
  if (finishStep(host, call, step, at, at + 1, commandAsMessage(cmd))) runCall(host, call);
}

/** start_rtd / rtd on a step: response times run from start_rtd, or from the call's start. */
function markRtd(host: CallHost, call: CallState, step: CompiledStep): void {
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

/** A message for this call arrived. */
export function receive(host: CallHost, call: CallState, msg: SipMessage): void {
  const steps = host.scenario.steps;
  if (steps[call.stepIndex]?.kind === StepKind.Pause && call.stepTimer.armed) {
    // A pause is over at its deadline, not at the timer tick after it (up to -timer_resol later): a message
    // that comes in between finds the call past the pause. The peer's pause of the same length, started
    // when it sent what began ours, ends after ours; its next request used to fall into that gap and be
    // unexpected (SIPp has the same gap; its pauses overshoot less).
    if (call.stepTimer.deadlineMs <= host.now()) {
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
  if (at >= 0) { take(host, call, msg, at, false); return; }
  // A repeat of the request last answered is answered again (notExpected), not taken anew, as in SIPp
  // where retransmissions are told before any matching.
  const answered = call.answered;
  if (answered === undefined || !isRetransmissionOf(msg, answered)) {
    const global = findGlobal(steps, call.stepIndex, msg, call);
    if (global >= 0) { take(host, call, msg, global, true); return; }
  }
  notExpected(host, call, msg);
}

/**
 * The call takes `msg` as the receive step `at`. `behind`: that step lies behind the call (optional="global");
 * SIPp compat: the call then goes on from it only when its `next` is taken, and otherwise stays where it
 * was, its wait (a receive's timeout, a pause) running on; the retransmission of a request sent after
 * that step goes on too, since this message does not answer it.
 */
function take(host: CallHost, call: CallState, msg: SipMessage, at: number, behind: boolean): void {
  const step = host.scenario.steps[at] as CompiledStep;
  if (step.lostPercent > 0 && host.random() * 100 < step.lostPercent) { host.stats.step(at, StepCounter.lost); return; }
  if (!behind || at > call.lastSentIndex) host.wheel.cancel(call.retransTimer);
  const here = call.stepIndex;
  if (!behind) host.wheel.cancel(call.stepTimer);
  host.stats.step(at, StepCounter.recv);
  if (!step.advanceState) { stayAfter(host, call, step, msg, behind); return; }
  call.lastRecv = msg;
  call.lastRecvIndex = at;
  call.unanswered = true;
  // RFC 3261 §17.2.1, RFC 6026 §8.7: once the ACK has come, the INVITE's retransmissions are absorbed, not
  // answered (a late copy is counted by notExpected as a retransmission of its step), so its response need
  // not be kept for the rest of the call.
  if (msg.method === 'ACK' && call.answered?.method === 'INVITE' && call.answered.cseq === msg.cseq) { call.answered = undefined; call.answer = ''; }
  const tag = msg.status === 0 ? msg.fromTag : msg.toTag;
  // Made when the tag changes, not for every message; detached: the call keeps the tag to its end, not the
  // message it came in.
  if (tag !== '' && !(call.peerTagParam.length === tag.length + 5 && call.peerTagParam.endsWith(tag))) call.peerTagParam = detach(`;tag=${tag}`);
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
    if (r !== ACTIONS_OK) { host.finish(call, r); return; }
  }
  call.jumpTo = -1;
  // The call waits on where it was: a receive it waited at waits again; a wait running behind it runs on.
  if (!behind) runCall(host, call);
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
  if (earlier >= 0) { host.stats.step(earlier, StepCounter.retrans); return; } // a late copy of something handled
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
    const pausedUntil = current?.kind === StepKind.Pause && call.stepTimer.armed ? call.stepTimer.deadlineMs - (host.now() - call.clockTick()) : 0;
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
    host.traceError(`${behaviors.abortunexp ? 'Aborting call' : 'Ignoring'} on unexpected message for Call-Id '${call.callId}': while expecting '${expected?.title.trim() ?? 'end of scenario'}' (index ${call.stepIndex}), received '${msg.raw}'`);
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

/** Ends a failed call, first releasing what the peer holds (see hangUp). */
function abort(host: CallHost, call: CallState, reason: number): void {
  hangUp(host, call);
  host.finish(call, reason);
}

/**
 * With the "bye" behaviour, releases what the peer holds for a call about to be dropped: CANCEL for an
 * INVITE that had only a provisional response (RFC 3261 §9.1), BYE for a confirmed dialog (§15).
 */
export function hangUp(host: CallHost, call: CallState): void {
  if (!host.settings.behaviors.bye || call.hangUpBase === '' || call.byeSent) return;
  const parsed = parseMessage(call.hangUpBase);
  if (!parsed.ok) return;
  const own = host.scenario.defaultMessages;
  if (call.dialogConfirmed) {
    call.cseq++;
    call.byeSent = true;
    // <DefaultMessage id="bye">: the scenario's BYE, rendered for the call (SIPp's default reads [last_*]).
    if (own.bye !== undefined) { host.send(call, renderTemplate(own.bye, call, -1)); return; }
    const remoteTarget = call.dialogTarget?.remoteTarget ?? call.nextUrl;
    const routes = call.dialogTarget?.routes ?? call.routes;
    host.send(call, buildBye(parsed.msg, {
      peerTagParam: call.peerTagParam, cseq: call.cseq, branch: `z9hG4bK-abort-${call.number}-${call.cseq}`, remoteTarget, routes,
    }));
  } else if (call.inviteProvisional) {
    host.send(call, own.cancel !== undefined ? renderTemplate(own.cancel, call, -1) : buildCancel(parsed.msg));
  }
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

export function onTimer(host: CallHost, timer: CallTimer): void {
  const call = timer.call;
  if (call.ended) return;
  if (timer.kind === TimerKind.Retrans) { retransmit(host, call); return; }
  const step = host.scenario.steps[call.stepIndex];
  if (step === undefined) { host.finish(call, -1); return; }
  if (step.kind === StepKind.Recv || step.kind === StepKind.RecvCmd) {
    const awaited = awaitedStep(host.scenario.steps, call.stepIndex);
    host.stats.step(awaited, StepCounter.timeouts);
    host.traceError?.(`Call-Id '${call.callId}' timed out while waiting for '${host.scenario.steps[awaited]?.title.trim() ?? ''}' (index ${awaited})${step.onTimeoutIndex >= 0 ? ': going on at the ontimeout label' : ''}`);
    if (step.onTimeoutIndex >= 0) { call.stepIndex = step.onTimeoutIndex; runCall(host, call); return; }
    abort(host, call, Failure.FailedTimeoutOnRecv);
    return;
  }
  if (step.kind === StepKind.Pause && !finishStep(host, call, step, call.stepIndex)) return;
  runCall(host, call);
}

function retransmit(host: CallHost, call: CallState): void {
  if (call.retransCount >= maxRetrans(call.lastSentIsInvite, host.settings)) {
    host.traceError?.(`Call-Id '${call.callId}': no answer to '${host.scenario.steps[call.lastSentIndex]?.title.trim() ?? ''}' (index ${call.lastSentIndex}) after ${call.retransCount} retransmissions`);
    abort(host, call, Failure.FailedMaxUDPRetrans);
    return;
  }
  call.retransCount++;
  if (!host.send(call, call.lastSent)) { host.finish(call, Failure.FailedCannotSendMessage); return; }
  host.stats.step(call.lastSentIndex, StepCounter.retrans);
  host.stats.count(Counter.Retransmissions);
  call.retransIntervalMs = nextRetransInterval(call.retransIntervalMs, call.lastSentIsInvite, host.settings.t2Ms);
  host.wheel.schedule(call.retransTimer, host.now() + call.retransIntervalMs);
}
