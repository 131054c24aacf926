/**
 * HTTP digest authentication as SIP uses it (RFC 3261 §22.4): RFC 2617 (MD5, MD5-sess, qop auth and
 * auth-int) and RFC 7616 / RFC 8760 (SHA-256, SHA-512-256 and their -sess forms). Pure functions, but for
 * the last HA2 kept and a pool of random bytes for cnonces.
 */
import * as nodeCrypto from 'node:crypto';
import { createHash, randomFillSync } from 'node:crypto';

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

// RFC 3310: AKAv1-MD5 is MD5 digest whose password is the AKA RES.
const HASHES: Readonly<Record<string, string>> = { MD5: 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256', 'AKAV1-MD5': 'md5' };
/** RFC 8760 §2.4: with several challenges, use the strongest algorithm we know. */
const STRENGTH = ['SHA-512-256', 'SHA-512-256-SESS', 'SHA-256', 'SHA-256-SESS', 'MD5', 'MD5-SESS', 'AKAV1-MD5'];

/** Parses `Digest k=v, k="v", …` (one challenge); undefined when it is not a digest challenge. */
export function parseChallenge(value: string): Challenge | undefined {
  const params = parseParams(value);
  if (params === undefined) return undefined;
  const realm = params.get('realm');
  const nonce = params.get('nonce');
  if (realm === undefined || nonce === undefined) return undefined;
  return {
    realm,
    nonce,
    opaque: params.get('opaque'),
    algorithm: (params.get('algorithm') ?? 'MD5').toUpperCase(),
    algorithmToken: params.get('algorithm') ?? 'MD5',
    qop: (params.get('qop') ?? '')
      .split(',')
      .map((q) => q.trim().toLowerCase())
      .filter((q) => q !== ''),
  };
}

/** Of several challenges, the one with the strongest algorithm this code supports. */
export function pickChallenge(values: readonly string[]): Challenge | undefined {
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

function hashFor(algorithm: string): string | undefined {
  return HASHES[algorithm.replace(/-SESS$/, '')];
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
const hashHex: (alg: string, s: string) => string =
  oneShot !== undefined
    ? (alg, s) => oneShot(alg, Buffer.from(s, 'latin1'), 'hex')
    : (alg, s) => createHash(alg).update(s, 'latin1').digest('hex');

const ncString = (nc: number): string => nc.toString(16).padStart(8, '0');

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
  const p = parseParams(authorization);
  if (p === undefined) return false;
  const realm = p.get('realm');
  const nonce = p.get('nonce');
  const uri = p.get('uri');
  const response = p.get('response');
  if (p.get('username') !== username || realm === undefined || nonce === undefined || uri === undefined || response === undefined)
    return false;
  const qop = (p.get('qop') ?? '').toLowerCase();
  const algorithmToken = p.get('algorithm') ?? 'MD5';
  const c: Challenge = {
    realm,
    nonce,
    opaque: p.get('opaque'),
    algorithm: algorithmToken.toUpperCase(),
    algorithmToken,
    qop: qop === '' ? [] : [qop],
  };
  if (hashFor(c.algorithm) === undefined) return false;
  const nc = Number.parseInt(p.get('nc') ?? '1', 16);
  return digestResponse(c, { username, password, method, uri, body, nc, cnonce: p.get('cnonce') ?? '' }, qop) === response.toLowerCase();
}

/**
 * One `k=v` or `k="v"` of a digest header. Shared and used with exec from lastIndex 0 (never re-entered):
 * matchAll would build a new RegExp for every challenge answered.
 */
const PARAM = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;

/** The parameters of `Digest k=v, k="v", …` (RFC 2617 §3.2.1, §3.2.2), names in lower case; undefined if not Digest. */
function parseParams(value: string): Map<string, string> | undefined {
  const m = /^\s*Digest\s+(.*)$/is.exec(value);
  if (m === null) return undefined;
  const rest = m[1] ?? '';
  const params = new Map<string, string>();
  PARAM.lastIndex = 0;
  for (let p = PARAM.exec(rest); p !== null; p = PARAM.exec(rest)) {
    const quoted = p[2];
    // RFC 2616 §2.2 quoted-pair: a backslash stands for the character after it.
    params.set(
      (p[1] ?? '').toLowerCase(),
      quoted === undefined ? (p[3] ?? '') : quoted.includes('\\') ? quoted.replace(/\\(.)/g, '$1') : quoted,
    );
  }
  return params;
}
