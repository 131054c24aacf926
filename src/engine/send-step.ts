/**
 * Sending a step's message: <send> (rendered, remembered for retransmission and for answering repeats,
 * its retransmission armed) and <sendCmd> (to the 3PCC twin). Apart from the run loop because a send
 * carries most of the per-call bookkeeping (CSeq, pending transactions, what a hang-up will be built from).
 */
import type { CompiledStep } from '../scenario/compile.js';
import { parseMessage } from '../sip/parser.js';
import { StepCounter } from '../stats/stats.js';
import { Failure, type FailedOutcome } from '../events/outcome.js';
import { withMethod, type CallState } from './call.js';
import { abort } from './hang-up.js';
import type { CallHost } from './host.js';
import { retransKeyOf } from './matcher.js';
import { renderTemplate } from './render.js';

/** What sendStep did: sent (or nothing to send), ended the call, or left it waiting on a congested connection. */
export const SEND_DONE = 0;
export const SEND_ENDED = 1;
export const SEND_WAITING = 2;
/** Why a send that failed ends its call: a full write queue is congestion, anything else a failed send. */
export const sendFailure = (call: CallState): FailedOutcome =>
  call.endpoint.congested === true ? Failure.FailedOutboundCongestion : Failure.FailedCannotSendMessage;

/** How often a send waiting for a congested connection looks again (ms). */
const SEND_RETRY_MS = 10;

/**
 * Renders and sends one message: SEND_DONE, SEND_ENDED when the call ended because it could not be sent,
 * or SEND_WAITING when the connection is congested and a send timeout lets the call wait for it.
 */
export function sendStep(host: CallHost, call: CallState, step: CompiledStep, index: number): number {
  const t = step.template;
  if (t === undefined) return SEND_DONE;
  // SIPp: a send that would block is tried again until the step's timeout= (else -send_timeout) passes,
  // then the call fails (FailedTimeoutOnSend) and is hung up. Node queues what a socket cannot take, so
  // sipts waits while the connection's queue is over its high-water mark, and only when a timeout is set.
  const sendTimeout = step.sendTimeoutMs > 0 ? step.sendTimeoutMs : (host.settings.sendTimeoutMs ?? 0);
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
  if (method !== '' && method !== 'ACK') call.pending = withMethod(call.pending, method);
  call.lastSent = raw;
  call.lastSentIndex = index;
  // The a=crypto: keys the call offers or answers with are the ones its SRTP is sent with (RFC 4568 §6.1).
  if (t.sdes === true && host.media?.sentSdp !== undefined && host.scenario.hasMedia) host.media.sentSdp(call, raw);
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
      const txns = (call.txns ??= { cseq: [], method: [] });
      txns.cseq[step.startTxn] = parsed.msg.cseq;
      txns.method[step.startTxn] = parsed.msg.cseqMethod;
    }
  }
  if (method === 'INVITE') {
    call.hangUpBase = raw;
    call.inviteProvisional = false;
    call.dialogTarget = undefined;
  } else if (method === 'BYE') call.byeSent = true;
  else if (method === 'ACK' && call.dialogConfirmed) call.hangUpBase = raw;
  host.wheel.cancel(call.retransTimer);
  if (step.lostPercent > 0 && host.random() * 100 < step.lostPercent) {
    host.stats.step(index, StepCounter.lost);
  } else {
    if (!host.send(call, raw)) {
      host.finish(call, sendFailure(call));
      return SEND_ENDED;
    }
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
export function sendCommandStep(host: CallHost, call: CallState, step: CompiledStep, index: number): boolean {
  if (step.template === undefined) return true;
  if (!host.sendCommand(call, step.peer, renderTemplate(step.template, call, index))) {
    host.finish(call, Failure.FailedCmdNotSent);
    return false;
  }
  host.stats.step(index, StepCounter.sent);
  return true;
}
