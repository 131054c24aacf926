/**
 * Header look-ups over a message's raw text, done on demand (lazy parsing): nothing here is on the
 * per-packet path unless a scenario asks for a header.
 */
import type { SipMessage } from './message.js';

/** RFC 3261 §7.3.3 compact forms, plus the ones registered since (RFC 3265, 3515, 3841, 3892, 4028). */
export const COMPACT_FORMS: Readonly<Record<string, string>> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
  o: 'event',
  u: 'allow-events',
  r: 'refer-to',
  b: 'referred-by',
  a: 'accept-contact',
  j: 'reject-contact',
  d: 'request-disposition',
  x: 'session-expires',
};

/** Long lower-case name for a header name in any case or compact form. */
export function canonicalName(name: string): string {
  const lower = name.toLowerCase();
  return COMPACT_FORMS[lower] ?? lower;
}

/**
 * Headers seen in most messages, found without slicing and lower-casing their names: indexing a message
 * did both for every header line, and was the costliest step of a UAS's receive after the socket itself.
 * Keyed by length and first letter; other names take the slow path.
 */
const COMMON_NAMES = [
  'via',
  'from',
  'to',
  'call-id',
  'cseq',
  'contact',
  'max-forwards',
  'content-length',
  'content-type',
  'subject',
  'user-agent',
  'allow',
  'supported',
  'record-route',
  'route',
  'expires',
  'authorization',
  'www-authenticate',
  'proxy-authenticate',
  'proxy-authorization',
  'event',
  'require',
  'server',
  'date',
  'accept',
  'p-asserted-identity',
  'min-expires',
  'session-expires',
  'allow-events',
  'reason',
  'rseq',
  'rack',
  'privacy',
  'path',
  'refer-to',
];
const nameKey = (length: number, first: number): number => length * 32 + (first & 31);
const BY_KEY = new Map<number, string[]>();
for (const n of COMMON_NAMES) {
  const key = nameKey(n.length, n.charCodeAt(0));
  BY_KEY.set(key, [...(BY_KEY.get(key) ?? []), n]);
}
const COMPACT_BY_CODE = new Map<number, string>(Object.entries(COMPACT_FORMS).map(([k, v]) => [k.charCodeAt(0), v]));

/** canonicalName of raw[start, end), allocating only for a name not in COMMON_NAMES. */
function canonicalNameAt(raw: string, start: number, end: number): string {
  const first = raw.charCodeAt(start);
  if (end - start === 1) {
    const compact = COMPACT_BY_CODE.get(first >= 65 && first <= 90 ? first + 32 : first);
    if (compact !== undefined) return compact;
  } else {
    const candidates = BY_KEY.get(nameKey(end - start, first));
    if (candidates !== undefined) {
      for (const c of candidates) if (equalsIgnoreCase(raw, start, end, c)) return c;
    }
  }
  return canonicalName(raw.slice(start, end));
}

/** True when raw[start, end) equals `lower` ignoring ASCII case. `lower` must be lower case. */
export function equalsIgnoreCase(raw: string, start: number, end: number, lower: string): boolean {
  if (end - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    const c = raw.charCodeAt(start + i);
    const l = c >= 65 && c <= 90 ? c + 32 : c;
    if (l !== lower.charCodeAt(i)) return false;
  }
  return true;
}

export interface HeaderLine {
  /** Offset of the line start (the header name). */
  readonly start: number;
  /** Offset just past the value, unfolded continuation lines included, CRLF excluded. */
  readonly end: number;
  readonly valueStart: number;
}

/**
 * Every header line whose name (long or compact form) is `name`, in message order.
 * Folded continuation lines (RFC 3261 §7.3.1) belong to the header they follow.
 */
export function findHeaders(msg: SipMessage, name: string): readonly HeaderLine[] {
  return headerIndex(msg).get(canonicalNameAt(name, 0, name.length)) ?? [];
}

/** Every header line of a message by long lower-case name, in message order. */
export type HeaderIndex = ReadonlyMap<string, readonly HeaderLine[]>;

let indexedMsg: SipMessage | undefined;
let indexed: HeaderIndex = new Map();

/**
 * All of a message's header lines, by name, from one scan. A UAS answers the same request several times
 * with many [last_*:] keywords each: the last message's index is kept (one entry), so it is scanned once.
 */
export function headerIndex(msg: SipMessage): HeaderIndex {
  if (msg === indexedMsg) return indexed;
  const map = new Map<string, HeaderLine[]>();
  const raw = msg.raw;
  const limit = msg.bodyStart;
  // A 3PCC twin command (status 0, method '') has no start line: its headers begin at once.
  const noStartLine = msg.status === 0 && msg.method === '';
  let pos = noStartLine ? 0 : raw.indexOf('\n') + 1;
  if (pos === 0 && !noStartLine) pos = limit;
  while (pos < limit) {
    let eol = raw.indexOf('\n', pos);
    if (eol < 0 || eol >= limit) eol = limit;
    let lineEnd = eol > pos && raw.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
    if (lineEnd === pos) break;
    const colon = raw.indexOf(':', pos);
    let next = eol + 1;
    while (next < limit && (raw.charCodeAt(next) === 32 || raw.charCodeAt(next) === 9)) {
      let e2 = raw.indexOf('\n', next);
      if (e2 < 0 || e2 >= limit) e2 = limit;
      lineEnd = e2 > next && raw.charCodeAt(e2 - 1) === 13 ? e2 - 1 : e2;
      next = e2 + 1;
    }
    if (colon > pos && colon < lineEnd) {
      let nameEnd = colon;
      while (nameEnd > pos && (raw.charCodeAt(nameEnd - 1) === 32 || raw.charCodeAt(nameEnd - 1) === 9)) nameEnd--;
      let vs = colon + 1;
      while (vs < lineEnd && (raw.charCodeAt(vs) === 32 || raw.charCodeAt(vs) === 9)) vs++;
      const name = canonicalNameAt(raw, pos, nameEnd);
      const list = map.get(name);
      const line = { start: pos, end: lineEnd, valueStart: vs };
      if (list === undefined) map.set(name, [line]);
      else list.push(line);
    }
    pos = next;
  }
  indexedMsg = msg;
  indexed = map;
  return map;
}

/** The value of the first header named `name` with folding collapsed, or undefined. */
export function headerValue(msg: SipMessage, name: string): string | undefined {
  const h = findHeaders(msg, name)[0];
  return h === undefined ? undefined : msg.raw.slice(h.valueStart, h.end).replace(/\r?\n[ \t]+/g, ' ');
}

/** Every value of `name`, comma-separated lists split into entries (RFC 3261 §7.3.1), in order. */
export function headerValues(msg: SipMessage, name: string): string[] {
  const out: string[] = [];
  for (const h of findHeaders(msg, name)) {
    for (const part of splitCommaList(msg.raw.slice(h.valueStart, h.end).replace(/\r?\n[ \t]+/g, ' '))) out.push(part);
  }
  return out;
}

/** Splits a header value on commas that are outside quotes and angle brackets. */
export function splitCommaList(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"' && value[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && c === '<') depth++;
    else if (!quoted && c === '>') depth--;
    else if (!quoted && depth === 0 && c === ',') {
      const part = value.slice(start, i).trim();
      if (part !== '') out.push(part);
      start = i + 1;
    }
  }
  const last = value.slice(start).trim();
  if (last !== '') out.push(last);
  return out;
}

/** Value of parameter `name` (lower case) in raw[start, end), e.g. tag or branch; '' if absent. */
export function paramValue(raw: string, start: number, end: number, name: string): string {
  let i = raw.indexOf(';', start);
  while (i >= 0 && i < end) {
    let p = i + 1;
    while (p < end && raw.charCodeAt(p) === 32) p++;
    if (equalsIgnoreCase(raw, p, Math.min(p + name.length, end), name)) {
      let q = p + name.length;
      while (q < end && raw.charCodeAt(q) === 32) q++;
      if (raw.charCodeAt(q) === 61 /* = */) {
        q++;
        while (q < end && raw.charCodeAt(q) === 32) q++;
        let e = q;
        while (e < end) {
          const c = raw.charCodeAt(e);
          if (c === 59 || c === 44 || c === 32 || c === 62 || c === 13 || c === 10 || c === 9) break; // ; , SP > CR LF HT
          e++;
        }
        return raw.slice(q, e);
      }
    }
    i = raw.indexOf(';', i + 1);
  }
  return '';
}

/** The URI inside a name-addr (`"x" <sip:a@b>;p`) or the addr-spec itself, without header params. */
export function uriOf(nameAddr: string): string {
  const lt = nameAddr.indexOf('<');
  if (lt >= 0) {
    const gt = nameAddr.indexOf('>', lt);
    return nameAddr.slice(lt + 1, gt < 0 ? undefined : gt);
  }
  const semi = nameAddr.indexOf(';');
  return (semi < 0 ? nameAddr : nameAddr.slice(0, semi)).trim();
}
