/** Which scenario step an incoming message belongs to. */
import { StepKind, type CompiledStep } from '../scenario/compile.js';
import { detach, type SipMessage } from '../sip/message.js';
import type { CallState } from './call.js';
import type { RetransKey } from './retrans-key.js';

/**
 * A response matches a `<recv response>` only when its CSeq method is a request this call sent that has
 * no final response yet (RFC 3261 §17.1.3 in spirit): a late 200 for the INVITE must not satisfy the
 * step that waits for the BYE's 200.
 */
export function matchesStep(step: CompiledStep, msg: SipMessage, call: CallState | undefined): boolean {
  if (step.kind !== StepKind.Recv) return false;
  if (step.responseCode !== 0) {
    // SIPp compat: a response without a To header matches no <recv response> (SIPp 3.6.1 aborts the call on it
    // as an unexpected message: its regression test for github issue 152).
    if (!msg.hasTo || msg.status === 0) return false;
    if (step.responsePattern !== undefined ? !step.responsePattern.test(String(msg.status)) : msg.status !== step.responseCode)
      return false;
    if (call === undefined) return true;
    // response_txn: only a response to the request that started that transaction.
    if (step.responseTxn >= 0)
      return call.txns?.cseq[step.responseTxn] === msg.cseq && call.txns.method[step.responseTxn] === msg.cseqMethod;
    return call.pending.includes(msg.cseqMethod);
  }
  return msg.status === 0 && (step.requestPattern === undefined ? msg.method === step.requestMethod : step.requestPattern.test(msg.method));
}

/**
 * SIPp compat: from the current step, optional receives may be skipped to reach the one that matches;
 * the search stops at the first step that is not an optional receive. Returns -1 when nothing matches.
 */
export function findForward(steps: readonly CompiledStep[], from: number, msg: SipMessage, call: CallState): number {
  for (let j = from; j < steps.length; j++) {
    const s = steps[j] as CompiledStep;
    if (s.kind !== StepKind.Recv) return -1;
    if (matchesStep(s, msg, call)) return j;
    if (!s.optional) return -1;
  }
  return -1;
}

/**
 * SIPp compat (call.cpp, process_incoming): a message nothing ahead expects is looked for backwards, and
 * taken by the nearest earlier receive it matches that is optional="global", or optional with only optional
 * receives between it and the current step. Returns that step when it is a global one, else -1 (the
 * contiguous optional case stays with findBackward: a late copy of something handled).
 */
export function findGlobal(steps: readonly CompiledStep[], from: number, msg: SipMessage, call: CallState): number {
  let contiguous = true;
  for (let j = Math.min(from, steps.length) - 1; j >= 0; j--) {
    const s = steps[j] as CompiledStep;
    if (!s.optional) contiguous = false;
    if ((contiguous || s.optionalGlobal) && matchesStep(s, msg, call)) return s.optionalGlobal ? j : -1;
  }
  return -1;
}

/** An earlier receive step this message repeats (a retransmission that arrived late), or -1. */
export function findBackward(steps: readonly CompiledStep[], from: number, msg: SipMessage): number {
  for (let j = Math.min(from, steps.length) - 1; j >= 0; j--) {
    if (matchesStep(steps[j] as CompiledStep, msg, undefined)) return j;
  }
  return -1;
}

/** A message's key, held apart from it (the branch detached from the message). */
export function retransKeyOf(m: SipMessage): RetransKey {
  return { status: m.status, method: m.method, cseq: m.cseq, cseqMethod: m.cseqMethod, branch: detach(m.branch) };
}

/**
 * Same transaction and same message: a retransmission of `b` (SIPp compares the last received message).
 * `loose` (-rtcheck loose): the top Via branch is not compared, as SIPp's loose check hashes only To, From,
 * Call-ID and CSeq (RFC 2543 §11.5), for peers that change the branch of a retransmission.
 */
export function isRetransmissionOf(a: SipMessage, b: RetransKey, loose = false): boolean {
  return (
    a.status === b.status && a.cseq === b.cseq && a.cseqMethod === b.cseqMethod && a.method === b.method && (loose || a.branch === b.branch)
  );
}
