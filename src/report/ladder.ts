/**
 * A failed call's message flow as a ladder: one line per message, time since the call started, an arrow
 * toward the side that received it, and what it was (method, or code and reason with the CSeq method).
 */
import type { CallEvidence } from '../events/trace.js';

const ARROW = 44;

/** `INVITE`, or `404 Not Found (INVITE)`: read from the first line and CSeq, without a full parse. */
export function messageLabel(raw: string): string {
  const eol = raw.indexOf('\r\n');
  const first = (eol < 0 ? raw : raw.slice(0, eol)).trim();
  if (first.startsWith('SIP/2.0 ')) {
    const cseq = /\r\n(?:CSeq|cseq|CSEQ)[ \t]*:[ \t]*\d+[ \t]+([A-Za-z]+)/.exec(raw);
    return `${first.slice(8)}${cseq === null ? '' : ` (${cseq[1] ?? ''})`}`;
  }
  return first.split(' ')[0] ?? '?';
}

export function renderLadder(e: CallEvidence, stepTitle: string): string {
  const lines: string[] = [];
  lines.push(
    `Call ${e.callId}: ${e.reason} at step ${e.stepIndex} (${stepTitle.trim()}), ${(e.endMs - e.startMs).toFixed(3)} ms after it started`,
  );
  lines.push(`  ${'time (ms)'.padStart(10)}   ${e.local.padEnd(ARROW)}${e.remote}`);
  for (const h of e.history) {
    const label = messageLabel(h.raw);
    const t = (h.atMs - e.startMs).toFixed(3).padStart(10);
    const arrow = h.out
      ? `${label} ${'-'.repeat(Math.max(3, ARROW - label.length - 2))}>`
      : `<${'-'.repeat(Math.max(3, ARROW - label.length - 2))} ${label}`;
    lines.push(`  ${t}   ${arrow}`);
  }
  if (e.history.length === 0) lines.push('             (no message was exchanged)');
  lines.push(`  ${(e.endMs - e.startMs).toFixed(3).padStart(10)}   x call ended: ${e.reason}`);
  return lines.join('\n');
}
