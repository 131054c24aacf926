/**
 * The Authorization / Proxy-Authorization header a send renders for [authentication]: digest (RFC 2617,
 * RFC 7616) and AKA (RFC 3310), answering the challenge of the last message received. Apart from render.ts
 * because it is protocol work done at send time, not the filling of segments.
 */
import { authorizationValue, newCnonce, pickChallenge } from '../sip/digest.js';
import { findHeaders } from '../sip/headers.js';
import type { SipMessage } from '../sip/message.js';
import { akaResponse } from '../sip/milenage.js';

/** What answering a challenge reads from the call: its part of a RenderContext. */
export interface AuthContext {
  readonly lastRecv: SipMessage | undefined;
  /** The next nonce count for `nonce` (RFC 2617 §3.2.2: 1 for a new nonce, then counting). */
  nonceCount(nonce: string): number;
}

/** The parameters of an [authentication] keyword, rendered. */
export interface Credentials {
  readonly username: string;
  readonly password: string;
  readonly akaK: string;
  readonly akaOp: string;
  /** -auth_uri's digest uri; '' for the Request-URI. */
  readonly uri: string;
}

/**
 * The Authorization (after a 401) or Proxy-Authorization (after a 407) header answering the last
 * received challenge (RFC 3261 §22.2, §22.3). Method and Request-URI come from the rendered request
 * `line`. Empty when the last message challenged nothing.
 */
export function authorizationFor(creds: Credentials, ctx: AuthContext, line: string, body: string): string {
  const msg = ctx.lastRecv;
  if (msg === undefined || (msg.status !== 401 && msg.status !== 407)) return '';
  // RFC 3261 §7.3.1: the commas of an authentication header separate parameters, not values: one line, one challenge.
  const challenge = pickChallenge(
    findHeaders(msg, msg.status === 407 ? 'proxy-authenticate' : 'www-authenticate').map((h) => msg.raw.slice(h.valueStart, h.end)),
  );
  if (challenge === undefined) return '';
  let password = creds.password;
  if (challenge.algorithm.startsWith('AKAV1')) {
    // RFC 3310 §3.4: the password is the RES computed from the nonce's RAND and AUTN.
    const res = akaResponse(challenge.nonce, creds.akaK, creds.akaOp);
    if (res === undefined) return '';
    password = res.toString('latin1');
  }
  const sp1 = line.indexOf(' ');
  const sp2 = line.indexOf(' ', sp1 + 1);
  const value = authorizationValue(challenge, {
    username: creds.username,
    password,
    method: line.slice(0, sp1),
    uri: creds.uri !== '' ? creds.uri : line.slice(sp1 + 1, sp2),
    body,
    nc: ctx.nonceCount(challenge.nonce),
    cnonce: newCnonce(),
  });
  return `${msg.status === 407 ? 'Proxy-Authorization' : 'Authorization'}: ${value}`;
}

const AUTHENTICATION = '[authentication';

/**
 * SIPp compat: an injection field may hold `[authentication username=… password=…]`; [fieldN] then
 * renders the header it stands for. Values are plain text there (no nested keywords). Found by indexOf and
 * one shared regex rather than replace() and matchAll(): this runs once per registration of a registrar
 * test, and matchAll builds a new RegExp every time.
 */
export function expandFieldAuth(value: string, ctx: AuthContext, line: string, body: string): string {
  let out = '';
  let from = 0;
  for (let at = value.indexOf(AUTHENTICATION); at >= 0; at = value.indexOf(AUTHENTICATION, from)) {
    const end = value.indexOf(']', at + AUTHENTICATION.length);
    if (end < 0) break;
    out += value.slice(from, at) + authorizationFor(credentialsIn(value.slice(at + AUTHENTICATION.length, end)), ctx, line, body);
    from = end + 1;
  }
  return from === 0 ? value : out + value.slice(from);
}

/**
 * The parameters of one [authentication …] (the last of a name wins), quotes taken off: each `name=value` or
 * `name="value"` (SIPp's own keyword syntax), a name being letters and _; what is not one is skipped. Scanned by
 * hand (a RegExp's matches were a tenth of a registration's own work): this runs for each registration.
 */
export function credentialsIn(params: string): Credentials {
  let username = '',
    password = '',
    akaK = '',
    akaOp = '';
  const n = params.length;
  let i = 0;
  while (i < n) {
    if (!isNameChar(params.charCodeAt(i))) {
      i++;
      continue;
    }
    const nameStart = i;
    while (i < n && isNameChar(params.charCodeAt(i))) i++;
    if (params.charCodeAt(i) !== 61 /* = */) continue;
    const name = params.slice(nameStart, i);
    i++;
    let v: string | undefined;
    if (params.charCodeAt(i) === 34 /* " */) {
      const close = params.indexOf('"', i + 1);
      if (close >= 0) {
        v = params.slice(i + 1, close);
        i = close + 1;
      }
    }
    if (v === undefined) {
      // Up to white space; a quote that never closes is part of the value.
      const start = i;
      while (i < n && !isWhiteSpace(params.charCodeAt(i))) i++;
      if (i === start) continue;
      v = params.slice(start, i);
    }
    if (name === 'username') username = v;
    else if (name === 'password') password = v;
    else if (name === 'aka_K') akaK = v;
    else if (name === 'aka_OP') akaOp = v;
  }
  return { username, password, akaK, akaOp, uri: '' };
}

const isNameChar = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;

/** What a RegExp's \s matches (the field is text decoded as UTF-8, so any of Unicode's spaces). */
function isWhiteSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return (
    c === 160 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}
