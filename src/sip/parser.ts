/**
 * Datagram → SipMessage. One pass over the header lines extracts only what routing and matching need
 * (start line, Call-ID, CSeq, top Via branch, tags, Content-Length); the rest is read lazily.
 * Never throws: malformed input is a ParseFailure value, counted by the caller.
 */
import type { ParseResult, SipMessage } from './message.js';
import {
  equalsIgnoreCase,
  foldedEol,
  isLws,
  lineEnd,
  nameEndOf,
  paramValue,
  recordEnd,
  recordLine,
  recordStart,
  valueStartOf,
} from './headers.js';

const fail = (reason: string): ParseResult => ({ ok: false, reason });

/** RFC 3261 §7.1 and the extensions' methods, most frequent first. */
const METHODS = [
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'REGISTER',
  'OPTIONS',
  'PRACK',
  'UPDATE',
  'INFO',
  'SUBSCRIBE',
  'NOTIFY',
  'MESSAGE',
  'REFER',
  'PUBLISH',
];

/**
 * A known method is the one shared string, not a fresh copy per message: a call holds two or three parsed
 * messages (24 bytes for each method and CSeq method), and comparing to the constants is then a pointer check.
 */
function methodName(raw: string, start: number, end: number): string {
  const len = end - start;
  for (const m of METHODS) if (m.length === len && raw.startsWith(m, start)) return m;
  return raw.slice(start, end);
}

/** Parses a whole message held as a latin1 byte string. */
export function parseMessage(raw: string): ParseResult {
  // Tolerate leading CRLFs (RFC 3261 §7.5: keep-alives and stray blank lines before a start line).
  let pos = 0;
  while (pos < raw.length && (raw.charCodeAt(pos) === 13 || raw.charCodeAt(pos) === 10)) pos++;
  if (pos >= raw.length) return fail('empty datagram');
  const firstEol = raw.indexOf('\n', pos);
  if (firstEol < 0) return fail('no end of start line');
  const slEnd = raw.charCodeAt(firstEol - 1) === 13 ? firstEol - 1 : firstEol;

  let method = '';
  let status = 0;
  if (raw.startsWith('SIP/2.0 ', pos)) {
    status = parseDigits(raw, pos + 8, Math.min(pos + 11, slEnd));
    if (status < 100 || status > 699) return fail('bad status code');
  } else {
    const sp = raw.indexOf(' ', pos);
    if (sp <= pos || sp > slEnd) return fail('bad start line');
    if (!raw.startsWith('SIP/2.0', slEnd - 7)) return fail('bad request line: no SIP/2.0');
    method = methodName(raw, pos, sp);
    if (!isToken(method)) return fail('bad method');
  }

  let callId = '';
  let cseq = -1;
  let cseqMethod = '';
  let branch = '';
  let fromTag = '';
  let toTag = '';
  let hasTo = false;
  let contentLength = -1;
  let sawVia = false;
  let bodyStart = -1;

  recordStart();
  let line = firstEol + 1;
  while (line < raw.length) {
    let eol = raw.indexOf('\n', line);
    if (eol < 0) eol = raw.length;
    if (lineEnd(raw, line, eol) === line) {
      bodyStart = eol + 1;
      break;
    }
    const first = raw.charCodeAt(line);
    if (first === 32 || first === 9) {
      // A continuation line right after the start line: no header before it to continue (the lines that continue
      // a header are read with it, below).
      line = eol + 1;
      continue;
    }
    const colon = raw.indexOf(':', line);
    if (colon < 0 || colon > lineEnd(raw, line, eol)) return fail('header line without a colon');
    // A header's routing fields (a tag, the Call-ID) may be on any of its folded lines. SIPp compat: SIPp reads a
    // folded To's tag and Call-ID too.
    eol = foldedEol(raw, eol, raw.length);
    const end = lineEnd(raw, line, eol);
    const nameEnd = nameEndOf(raw, line, colon);
    const vs = valueStartOf(raw, colon, end);
    recordLine(line, nameEnd, vs, end);
    const len = nameEnd - line;
    const c0 = first | 0x20;
    if (len === 1) {
      if (c0 === 105 /* i */) callId = raw.slice(vs, end).trim();
      else if (c0 === 118 /* v */ && !sawVia) {
        sawVia = true;
        branch = topViaBranch(raw, vs, end);
      } else if (c0 === 102 /* f */) fromTag = paramValue(raw, vs, end, 'tag');
      else if (c0 === 116 /* t */) {
        hasTo = true;
        toTag = paramValue(raw, vs, end, 'tag');
      } else if (c0 === 108 /* l */) contentLength = parseDigits(raw, vs, end);
    } else if (c0 === 99 /* c */) {
      if (equalsIgnoreCase(raw, line, nameEnd, 'call-id')) callId = raw.slice(vs, end).trim();
      else if (equalsIgnoreCase(raw, line, nameEnd, 'cseq')) {
        let p = vs;
        while (p < end && raw.charCodeAt(p) >= 48 && raw.charCodeAt(p) <= 57) p++;
        cseq = p > vs ? parseDigits(raw, vs, p) : -1;
        while (p < end && isLws(raw.charCodeAt(p))) p++;
        let e = end;
        while (e > p && isLws(raw.charCodeAt(e - 1))) e--;
        cseqMethod = methodName(raw, p, e);
      } else if (equalsIgnoreCase(raw, line, nameEnd, 'content-length')) contentLength = parseDigits(raw, vs, end);
    } else if (c0 === 118 /* v */) {
      if (!sawVia && equalsIgnoreCase(raw, line, nameEnd, 'via')) {
        sawVia = true;
        branch = topViaBranch(raw, vs, end);
      }
    } else if (c0 === 102 /* f */) {
      if (equalsIgnoreCase(raw, line, nameEnd, 'from')) fromTag = paramValue(raw, vs, end, 'tag');
    } else if (c0 === 116 /* t */) {
      if (len === 2 && equalsIgnoreCase(raw, line, nameEnd, 'to')) {
        hasTo = true;
        toTag = paramValue(raw, vs, end, 'tag');
      }
    }
    line = eol + 1;
  }
  if (bodyStart < 0) bodyStart = raw.length; // no blank line: tolerated for a datagram with no body
  if (callId === '') return fail('missing Call-ID');
  if (cseq < 0 || cseqMethod === '') return fail('missing or bad CSeq');
  const available = raw.length - Math.min(bodyStart, raw.length);
  if (contentLength > available) return fail('Content-Length larger than the datagram');
  const msg: SipMessage = {
    raw,
    method,
    status,
    callId,
    cseq,
    cseqMethod,
    branch,
    fromTag,
    toTag,
    hasTo,
    bodyStart,
    bodyLength: contentLength >= 0 ? contentLength : available,
  };
  recordEnd(msg);
  return { ok: true, msg };
}

/** Decimal digits in raw[start, end) after optional spaces; -1 when there are none. */
function parseDigits(raw: string, start: number, end: number): number {
  let p = start;
  while (p < end && raw.charCodeAt(p) === 32) p++;
  let n = 0;
  const from = p;
  while (p < end) {
    const d = raw.charCodeAt(p) - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
    p++;
  }
  return p === from ? -1 : n;
}

/** The branch of the first Via value: a Via line may hold several comma-separated values. */
function topViaBranch(raw: string, start: number, end: number): string {
  const comma = raw.indexOf(',', start);
  return paramValue(raw, start, comma >= 0 && comma < end ? comma : end, 'branch');
}

function isToken(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c >= 127) return false;
  }
  return true;
}

export function bodyOf(msg: SipMessage): string {
  return msg.raw.slice(msg.bodyStart, msg.bodyStart + msg.bodyLength);
}
