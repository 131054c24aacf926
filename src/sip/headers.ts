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
/** Candidates by nameKey: an array, not a Map, as it is read for every header line a look-up names. */
const BY_KEY: (readonly string[] | undefined)[] = new Array<undefined>(
  Math.max(...COMMON_NAMES.map((n) => nameKey(n.length, n.charCodeAt(0)))) + 1,
).fill(undefined);
for (const n of COMMON_NAMES) {
  const key = nameKey(n.length, n.charCodeAt(0));
  BY_KEY[key] = [...(BY_KEY[key] ?? []), n];
}
/** Long name of each compact form by its lower-case character code (an array: read for each one-letter line). */
const COMPACT_BY_CODE: (string | undefined)[] = new Array<undefined>(128).fill(undefined);
for (const [k, v] of Object.entries(COMPACT_FORMS)) COMPACT_BY_CODE[k.charCodeAt(0)] = v;

/** The long name of the compact form raw[at] (any case), or undefined when it is none. */
function compactAt(raw: string, at: number): string | undefined {
  const c = raw.charCodeAt(at);
  return COMPACT_BY_CODE[c >= 65 && c <= 90 ? c + 32 : c];
}

/** canonicalName of raw[start, end), allocating only for a name not in COMMON_NAMES. */
function canonicalNameAt(raw: string, start: number, end: number): string {
  const first = raw.charCodeAt(start);
  if (end - start === 1) {
    const compact = compactAt(raw, start);
    if (compact !== undefined) return compact;
  } else {
    const candidates = BY_KEY[nameKey(end - start, first)];
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
  const index = indexOf(msg);
  const wanted = canonicalNameAt(name, 0, name.length);
  let out: HeaderLine[] | undefined;
  for (let i = 0; i < index.count; i++) {
    if (!index.isNamed(i, msg.raw, wanted)) continue;
    const line = { start: index.starts[i] ?? 0, end: index.ends[i] ?? 0, valueStart: index.valueStarts[i] ?? 0 };
    if (out === undefined) out = [line];
    else out.push(line);
  }
  return out ?? NO_LINES;
}

const NO_LINES: readonly HeaderLine[] = [];

/**
 * Every header line named `name`, whole or its value only, joined by `separator`: what [last_Via:] renders.
 * Read straight from the index, with no line objects: a UAS renders five or six of these per answer.
 */
export function joinHeaders(msg: SipMessage, name: string, separator: string, valueOnly: boolean): string {
  const index = indexOf(msg);
  const wanted = canonicalNameAt(name, 0, name.length);
  const raw = msg.raw;
  let s = '';
  let first = true;
  for (let i = 0; i < index.count; i++) {
    if (!index.isNamed(i, raw, wanted)) continue;
    if (!first) s += separator;
    first = false;
    s += raw.slice((valueOnly ? index.valueStarts[i] : index.starts[i]) ?? 0, index.ends[i] ?? 0);
  }
  return s;
}

/**
 * A message's header lines, in flat arrays reused from message to message: a Map of arrays of line objects was
 * a quarter of everything a UAS allocated per call (profiled at 3,000 calls/s), for the five or six look-ups its
 * answers make. The parser records each line's offsets as it scans them (recordLine), so the message a scenario
 * reads next needs no second scan; a look-up compares each line's name in place with the canonical name it wants.
 */
class LineIndex {
  /** The message the offsets are of; undefined while the parser is recording. */
  msg: SipMessage | undefined = undefined;
  count = 0;
  // Plain arrays of small integers, kept at their longest: written in place, never reallocated once grown.
  readonly starts: number[] = [];
  readonly nameEnds: number[] = [];
  readonly ends: number[] = [];
  readonly valueStarts: number[] = [];

  reset(): void {
    this.msg = undefined;
    this.count = 0;
  }

  add(start: number, nameEnd: number, valueStart: number, end: number): void {
    const i = this.count++;
    this.starts[i] = start;
    this.nameEnds[i] = nameEnd;
    this.valueStarts[i] = valueStart;
    this.ends[i] = end;
  }

  /** Whether line `i`'s name, in any case or its compact form, is the canonical `wanted`. */
  isNamed(i: number, raw: string, wanted: string): boolean {
    const start = this.starts[i] ?? 0;
    const end = this.nameEnds[i] ?? 0;
    if (end - start === 1) {
      const compact = compactAt(raw, start);
      if (compact !== undefined) return compact === wanted;
    }
    return equalsIgnoreCase(raw, start, end, wanted);
  }
}

const index = new LineIndex();

/** The parser starts a message: the lines it records next are that message's. */
export function recordStart(): void {
  index.reset();
}

/** The parser found a header line: its name ends at `nameEnd`, its value starts at `valueStart`. */
export function recordLine(start: number, nameEnd: number, valueStart: number, end: number): void {
  index.add(start, nameEnd, valueStart, end);
}

/** The parser made `msg` of the lines it recorded. */
export function recordEnd(msg: SipMessage): void {
  index.msg = msg;
}

/**
 * The index of a message's header lines. A UAS answers the same request several times with many [last_*:]
 * keywords each: the last message's index is kept, so it is scanned once (by the parser, most often).
 */
function indexOf(msg: SipMessage): LineIndex {
  if (msg !== index.msg) scan(msg);
  return index;
}

/** The end of the line [start, eol) without its CR: `eol` is the index of its '\n' (or of the end of the text). */
export function lineEnd(raw: string, start: number, eol: number): number {
  return eol > start && raw.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
}

/**
 * The '\n' (or `limit`) that ends a header whose first line ends at `eol`: RFC 3261 §7.3.1, the lines after it that
 * start with SP or HT continue its value.
 */
export function foldedEol(raw: string, eol: number, limit: number): number {
  while (eol + 1 < limit && (raw.charCodeAt(eol + 1) === 32 || raw.charCodeAt(eol + 1) === 9)) {
    const e = raw.indexOf('\n', eol + 1);
    eol = e < 0 || e >= limit ? limit : e;
  }
  return eol;
}

/** The end of a header's name: the white space before its colon left out. */
export function nameEndOf(raw: string, start: number, colon: number): number {
  let e = colon;
  while (e > start && (raw.charCodeAt(e - 1) === 32 || raw.charCodeAt(e - 1) === 9)) e--;
  return e;
}

/** Where a header's value starts: after its colon and the white space that follows, folds included. */
export function valueStartOf(raw: string, colon: number, end: number): number {
  let v = colon + 1;
  while (v < end && isLws(raw.charCodeAt(v))) v++;
  return v;
}

/** Records the header lines of a message the parser did not just record (an older one, a 3PCC command). */
function scan(msg: SipMessage): void {
  index.reset();
  const raw = msg.raw;
  const limit = msg.bodyStart;
  // A 3PCC twin command (status 0, method '') has no start line: its headers begin at once.
  const noStartLine = msg.status === 0 && msg.method === '';
  let pos = noStartLine ? 0 : raw.indexOf('\n') + 1;
  if (pos === 0 && !noStartLine) pos = limit;
  while (pos < limit) {
    let eol = raw.indexOf('\n', pos);
    if (eol < 0 || eol >= limit) eol = limit;
    if (lineEnd(raw, pos, eol) === pos) break;
    const colon = raw.indexOf(':', pos);
    eol = foldedEol(raw, eol, limit);
    const end = lineEnd(raw, pos, eol);
    if (colon > pos && colon < end) index.add(pos, nameEndOf(raw, pos, colon), valueStartOf(raw, colon, end), end);
    pos = eol + 1;
  }
  index.msg = msg;
}

/** The value of the first header named `name` with folding collapsed, or undefined. */
export function headerValue(msg: SipMessage, name: string): string | undefined {
  const h = findHeaders(msg, name)[0];
  return h === undefined ? undefined : unfold(msg.raw.slice(h.valueStart, h.end));
}

/** A header value with its folding collapsed to one space (RFC 3261 §7.3.1); most values have none to collapse. */
function unfold(value: string): string {
  return value.includes('\n') ? value.replace(/\r?\n[ \t]+/g, ' ') : value;
}

/** Every value of `name`, comma-separated lists split into entries (RFC 3261 §7.3.1), in order. */
export function headerValues(msg: SipMessage, name: string): string[] {
  const out: string[] = [];
  for (const h of findHeaders(msg, name)) {
    for (const part of splitCommaList(unfold(msg.raw.slice(h.valueStart, h.end)))) out.push(part);
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

/** SP, HT, CR or LF: white space, a folded line's break included (RFC 3261 §25.1, LWS). */
export function isLws(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

/**
 * Value of header parameter `name` (lower case) in raw[start, end), e.g. tag or branch; '' if absent. Only the
 * header's own parameters count: not those of a URI in angle brackets (RFC 3261 §20.10: a URI with parameters is
 * written in <…>, and the parameters inside are the URI's), nor a ';' in a quoted display name (§25.1). The
 * search ends at `end`: a header without the parameter costs no scan of the lines after it.
 * SIPp compat: SIPp too looks for the To tag after the '>' (get_peer_tag).
 */
export function paramValue(raw: string, start: number, end: number, name: string): string {
  let quoted = false;
  for (let i = start; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (quoted) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) quoted = false;
      continue;
    }
    if (c === 34) {
      quoted = true;
      continue;
    }
    if (c === 60 /* < */) {
      const gt = raw.indexOf('>', i + 1);
      if (gt < 0 || gt >= end) return '';
      i = gt;
      continue;
    }
    if (c !== 59 /* ; */) continue;
    let p = i + 1;
    while (p < end && isLws(raw.charCodeAt(p))) p++;
    if (!equalsIgnoreCase(raw, p, Math.min(p + name.length, end), name)) continue;
    let q = p + name.length;
    while (q < end && isLws(raw.charCodeAt(q))) q++;
    if (q >= end || raw.charCodeAt(q) !== 61 /* = */) continue;
    q++;
    while (q < end && isLws(raw.charCodeAt(q))) q++;
    let e = q;
    while (e < end) {
      const v = raw.charCodeAt(e);
      if (v === 59 || v === 44 || v === 62 || isLws(v)) break; // ; , > or white space
      e++;
    }
    return raw.slice(q, e);
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
