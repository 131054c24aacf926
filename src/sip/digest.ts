/**
 * HTTP digest authentication as SIP uses it (RFC 3261 §22.4): RFC 2617 (MD5, MD5-sess, qop auth and
 * auth-int) and RFC 7616 / RFC 8760 (SHA-256, SHA-512-256 and their -sess forms). Pure functions, but for
 * the last HA2 and the last qop list kept and a pool of random bytes for cnonces.
 */
import * as nodeCrypto from 'node:crypto';
import { createHash, randomFillSync } from 'node:crypto';
import { equalsIgnoreCase } from './headers.js';

export interface Challenge {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque: string | undefined;
  /** Upper-case algorithm name; MD5 when the challenge names none. */
  readonly algorithm: string;
  /** The algorithm as the challenge spelled it, echoed in the answer. */
  readonly algorithmToken: string;
  /** qop options offered, lower case; empty for RFC 2069-style challenges. */
  readonly qop: readonly string[];
}

/** RFC 8760 §2.4: with several challenges, use the strongest algorithm we know. */
const STRENGTH = ['SHA-512-256', 'SHA-512-256-SESS', 'SHA-256', 'SHA-256-SESS', 'MD5', 'MD5-SESS', 'AKAV1-MD5'];

/** Parses `Digest k=v, k="v", …` (one challenge); undefined when it is not a digest challenge. */
export function parseChallenge(value: string): Challenge | undefined {
  if (!scanParams(value)) return undefined;
  const realm = param(value, 'realm');
  const nonce = param(value, 'nonce');
  if (realm === undefined || nonce === undefined) return undefined;
  const algorithmToken = param(value, 'algorithm') ?? 'MD5';
  return {
    realm,
    nonce,
    opaque: param(value, 'opaque'),
    algorithm: algorithmToken.toUpperCase(),
    algorithmToken,
    qop: qopList(param(value, 'qop')),
  };
}

const NO_QOP: readonly string[] = [];

/**
 * A registrar offers the same qop to every REGISTER: the last text and its list are kept (splitting, trimming and
 * lower-casing it was 40% of parsing a challenge). The list is read only (chooseQop), never changed.
 */
let lastQop: { readonly text: string; readonly list: readonly string[] } = { text: '', list: NO_QOP };

/** RFC 7616 §3.3: qop="auth, auth-int" lists the options offered; lower case, empty entries dropped. */
function qopList(qop: string | undefined): readonly string[] {
  if (qop === undefined) return NO_QOP;
  if (qop === lastQop.text) return lastQop.list;
  const out: string[] = [];
  for (const part of qop.split(',')) {
    const q = part.trim().toLowerCase();
    if (q !== '') out.push(q);
  }
  lastQop = { text: qop, list: out };
  return out;
}

/** Of several challenges, the one with the strongest algorithm this code supports. */
export function pickChallenge(values: readonly string[]): Challenge | undefined {
  if (values.length === 1) {
    // The usual case (one WWW-Authenticate): no arrays to build and sort.
    const c = parseChallenge(values[0] ?? '');
    return c !== undefined && STRENGTH.includes(c.algorithm) ? c : undefined;
  }
  const usable = values.map(parseChallenge).filter((c): c is Challenge => c !== undefined && STRENGTH.includes(c.algorithm));
  usable.sort((a, b) => STRENGTH.indexOf(a.algorithm) - STRENGTH.indexOf(b.algorithm));
  return usable[0];
}

export interface DigestInput {
  readonly username: string;
  readonly password: string;
  readonly method: string;
  readonly uri: string;
  /** The message body, for qop=auth-int. */
  readonly body: string;
  /** Nonce count for this nonce, starting at 1. */
  readonly nc: number;
  readonly cnonce: string;
}

/**
 * The node:crypto hash of an (upper-case) algorithm, its -sess form included. A switch, not a RegExp and a
 * keyed look-up: this runs for every answer, and the algorithm is a new string each time.
 */
function hashFor(algorithm: string): string | undefined {
  switch (algorithm.endsWith('-SESS') ? algorithm.slice(0, -5) : algorithm) {
    // RFC 3310: AKAv1-MD5 is MD5 digest whose password is the AKA RES.
    case 'MD5':
    case 'AKAV1-MD5':
      return 'md5';
    case 'SHA-256':
      return 'sha256';
    case 'SHA-512-256':
      return 'sha512-256';
    default:
      return undefined;
  }
}

/** The request-digest (RFC 2617 §3.2.2.1, RFC 7616 §3.4.1) for the chosen qop ('' for none). */
export function digestResponse(c: Challenge, input: DigestInput, qop: string): string {
  const alg = hashFor(c.algorithm) ?? 'md5';
  // SIP messages are handled as latin1 byte strings: hash the bytes as they are on the wire.
  const h = (s: string): string => hashHex(alg, s);
  let ha1 = h(`${input.username}:${c.realm}:${input.password}`);
  if (c.algorithm.endsWith('-SESS')) ha1 = h(`${ha1}:${c.nonce}:${input.cnonce}`);
  const ha2 = qop === 'auth-int' ? h(`${input.method}:${input.uri}:${h(input.body)}`) : sameHa2(alg, `${input.method}:${input.uri}`, h);
  const nc = ncString(input.nc);
  return qop === '' ? h(`${ha1}:${c.nonce}:${ha2}`) : h(`${ha1}:${c.nonce}:${nc}:${input.cnonce}:${qop}:${ha2}`);
}

/**
 * crypto.hash (Node 20.12 and later): one call and no Hash object, about half of createHash's cost for a digest's
 * short inputs (two of them per answer). Older Node 20 releases have no such export: createHash then.
 */
const oneShot = (nodeCrypto as Partial<typeof nodeCrypto>).hash;
export const hashHex: (alg: string, s: string) => string =
  oneShot !== undefined
    ? (alg, s) => oneShot(alg, Buffer.from(s, 'latin1'), 'hex')
    : (alg, s) => createHash(alg).update(s, 'latin1').digest('hex');

/** RFC 2617 §3.2.2: nc as 8 hex digits; the first use of a nonce, the usual one, without formatting. */
const ncString = (nc: number): string => (nc === 1 ? '00000001' : nc.toString(16).padStart(8, '0'));

/**
 * HA2 without a body is H(method:uri), the same for every call of a load test (every REGISTER of a registrar
 * stress test hashes "REGISTER:sip:host"): the last one is kept, which saves one hash in three.
 */
let lastHa2 = { alg: '', input: '', ha2: '' };
function sameHa2(alg: string, input: string, h: (s: string) => string): string {
  if (lastHa2.alg !== alg || lastHa2.input !== input) lastHa2 = { alg, input, ha2: h(input) };
  return lastHa2.ha2;
}

/** The qop to answer with: auth when offered (cheaper), else auth-int, else none. */
export function chooseQop(c: Challenge): string {
  return c.qop.includes('auth') ? 'auth' : c.qop.includes('auth-int') ? 'auth-int' : '';
}

/** The value of an Authorization / Proxy-Authorization header answering `c`. */
export function authorizationValue(c: Challenge, input: DigestInput): string {
  const qop = chooseQop(c);
  const response = digestResponse(c, input, qop);
  let v = `Digest username="${input.username}", realm="${c.realm}", nonce="${c.nonce}", uri="${input.uri}", response="${response}", algorithm=${c.algorithmToken}`;
  if (qop !== '') v += `, qop=${qop}, nc=${ncString(input.nc)}, cnonce="${input.cnonce}"`;
  // RFC 2617 §3.2.2.2: a -sess HA1 uses the cnonce, so the server needs it even without qop.
  else if (c.algorithm.endsWith('-SESS')) v += `, cnonce="${input.cnonce}"`;
  if (c.opaque !== undefined) v += `, opaque="${c.opaque}"`;
  return v;
}

/**
 * Random bytes for cnonces, drawn from the CSPRNG 4 KiB at a time: randomBytes(8) for each answer cost more
 * than the digest's hashes (a buffer and a call into the crypto library every time).
 */
const CNONCE_BYTES = 8;
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

/** 16 hex digits from the CSPRNG (RFC 7616 §3.4: the cnonce must be unpredictable); no two alike in practice. */
export function newCnonce(): string {
  if (poolAt + CNONCE_BYTES > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += CNONCE_BYTES;
  return pool.toString('hex', poolAt - CNONCE_BYTES, poolAt);
}

/**
 * Server side (SIPp's verifyauth): true when `authorization` (a header value) proves knowledge of
 * `password` for `method`. The response is recomputed from the parameters the client sent.
 */
export function verifyAuthorization(authorization: string, username: string, password: string, method: string, body: string): boolean {
  if (!scanParams(authorization)) return false;
  const p = (name: string): string | undefined => param(authorization, name);
  const realm = p('realm');
  const nonce = p('nonce');
  const uri = p('uri');
  const response = p('response');
  if (p('username') !== username || realm === undefined || nonce === undefined || uri === undefined || response === undefined) return false;
  const qop = (p('qop') ?? '').toLowerCase();
  const algorithmToken = p('algorithm') ?? 'MD5';
  const c: Challenge = {
    realm,
    nonce,
    opaque: p('opaque'),
    algorithm: algorithmToken.toUpperCase(),
    algorithmToken,
    qop: qop === '' ? [] : [qop],
  };
  if (hashFor(c.algorithm) === undefined) return false;
  const nc = Number.parseInt(p('nc') ?? '1', 16);
  return digestResponse(c, { username, password, method, uri, body, nc, cnonce: p('cnonce') ?? '' }, qop) === response.toLowerCase();
}

/**
 * The `k=v` and `k="v"` parameters of the digest header value scanned last (RFC 2617 §3.2.1, §3.2.2), as
 * offsets into it, in arrays reused from value to value: scanned by hand, with no RegExp match, Map or
 * lower-cased name per parameter (that parse was the costliest step of answering a challenge). Not re-entered:
 * a value is scanned, then read, before the next.
 */
const scanned = {
  count: 0,
  nameStart: [] as number[],
  nameEnd: [] as number[],
  valueStart: [] as number[],
  valueEnd: [] as number[],
  /** The value was quoted and holds a quoted-pair (RFC 2616 §2.2: a backslash stands for the character after it). */
  escaped: [] as boolean[],
};

/** \s of a RegExp, in a latin1 string. */
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13) || c === 160;
/** A parameter name's characters: letters, digits, _ and -. */
const isNameChar = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45;

/**
 * Scans `Digest k=v, k="v", …`; false when the value is not a digest one. Lenient as SIPp is: what is not a
 * `name = value` is skipped; a quote that never closes starts a plain value; a name seen twice keeps the last.
 */
function scanParams(value: string): boolean {
  scanned.count = 0;
  const n = value.length;
  let i = 0;
  while (i < n && isSpace(value.charCodeAt(i))) i++;
  if (!equalsIgnoreCase(value, i, Math.min(i + 6, n), 'digest')) return false;
  i += 6;
  if (i >= n || !isSpace(value.charCodeAt(i))) return false;
  while (i < n) {
    if (!isNameChar(value.charCodeAt(i))) {
      i++;
      continue;
    }
    const nameStart = i;
    while (i < n && isNameChar(value.charCodeAt(i))) i++;
    const nameEnd = i;
    while (i < n && isSpace(value.charCodeAt(i))) i++;
    if (value.charCodeAt(i) !== 61 /* = */) continue;
    i++;
    while (i < n && isSpace(value.charCodeAt(i))) i++;
    let start = i;
    let end = -1;
    let escaped = false;
    if (value.charCodeAt(i) === 34 /* " */) {
      let q = i + 1;
      let closed = false;
      let pairs = false;
      while (q < n) {
        const c = value.charCodeAt(q);
        if (c === 34) {
          closed = true;
          break;
        }
        if (c !== 92) q++;
        else {
          // A quoted-pair: a backslash and the character after it, which is not a line end (RegExp's '.');
          // a backslash without one leaves the value unquoted, as the RegExp this replaces did.
          const next = q + 1 < n ? value.charCodeAt(q + 1) : 10;
          if (next === 10 || next === 13) break;
          pairs = true;
          q += 2;
        }
      }
      if (closed) {
        start = i + 1;
        end = q;
        escaped = pairs;
        i = q + 1;
      }
    }
    if (end < 0) {
      // A token, or a quote that never closes taken as one: up to white space or a comma.
      while (i < n && !isSpace(value.charCodeAt(i)) && value.charCodeAt(i) !== 44) i++;
      end = i;
      if (end === start) continue;
    }
    const k = scanned.count++;
    scanned.nameStart[k] = nameStart;
    scanned.nameEnd[k] = nameEnd;
    scanned.valueStart[k] = start;
    scanned.valueEnd[k] = end;
    scanned.escaped[k] = escaped;
  }
  return true;
}

/** Parameter `name` (lower case) of the value scanned last, in any case; the last one when named twice. */
function param(value: string, name: string): string | undefined {
  for (let k = scanned.count - 1; k >= 0; k--) {
    if (!equalsIgnoreCase(value, scanned.nameStart[k] ?? 0, scanned.nameEnd[k] ?? 0, name)) continue;
    const v = value.slice(scanned.valueStart[k], scanned.valueEnd[k]);
    return scanned.escaped[k] === true ? v.replace(/\\(.)/g, '$1') : v;
  }
  return undefined;
}
