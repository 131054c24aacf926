/**
 * Which worker of a -workers answering run a datagram goes to: a hash of its Call-ID, read straight from the
 * bytes (no parse of the message), so that every message of a call, and every retransmission of one, reaches
 * the worker that holds the call (RFC 3261 §8.1.1.4: the Call-ID is the same in every message of a dialog).
 */

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const TAB = 0x09;
const COLON = 0x3a;
/** "call-id" in lower case (RFC 3261 §7.3.1: header names are case-insensitive). */
const NAME = [0x63, 0x61, 0x6c, 0x6c, 0x2d, 0x69, 0x64];

/** Where the Call-ID's value starts and ends in `b`, or undefined when the headers hold none. */
export function findCallId(b: Uint8Array, from = 0, to = b.length): { start: number; end: number } | undefined {
  const start = locateCallId(b, from, to);
  return start < 0 ? undefined : { start, end: valueEnd };
}

/** The end of the value locateCallId found last: a module variable, so the hot path allocates nothing. */
let valueEnd = 0;

/** The start of the Call-ID's value (its end in valueEnd), or −1. */
function locateCallId(b: Uint8Array, from: number, to: number): number {
  let i = from;
  // Skip the start line.
  while (i < to && b[i] !== LF) i++;
  while (++i < to) {
    const c = (b[i] ?? 0) | 0x20;
    if (b[i] === CR || b[i] === LF) return -1; // the blank line: end of the headers
    let j = i;
    if (c === 0x69)
      j = i + 1; // compact form "i" (RFC 3261 §7.3.3)
    else if (c === 0x63) {
      let k = 0;
      while (k < NAME.length && i + k < to && ((b[i + k] ?? 0) | 0x20) === NAME[k]) k++;
      j = k === NAME.length ? i + k : i;
    }
    if (j > i) {
      while (j < to && (b[j] === SP || b[j] === TAB)) j++;
      if (j < to && b[j] === COLON) {
        j++;
        while (j < to && (b[j] === SP || b[j] === TAB)) j++;
        let end = j;
        while (end < to && b[end] !== CR && b[end] !== LF) end++;
        while (end > j && (b[end - 1] === SP || b[end - 1] === TAB)) end--;
        valueEnd = end;
        return j;
      }
    }
    while (i < to && b[i] !== LF) i++;
  }
  return -1;
}

/**
 * The worker (0 … parts−1) for the datagram: FNV-1a over the Call-ID's bytes. Without a Call-ID (not SIP, or
 * broken) worker 0 takes it, and counts it as it would count any unparsable datagram.
 */
export function workerFor(b: Uint8Array, parts: number, from = 0, to = b.length): number {
  if (parts <= 1) return 0;
  const start = locateCallId(b, from, to);
  if (start < 0) return 0;
  let h = 0x811c9dc5;
  for (let k = start; k < valueEnd; k++) h = Math.imul(h ^ (b[k] ?? 0), 0x01000193);
  return (h >>> 0) % parts;
}
