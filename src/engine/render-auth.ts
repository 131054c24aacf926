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

/**
 * SIPp compat: an injection field may hold `[authentication username=… password=…]`; [fieldN] then
 * renders the header it stands for. Values are plain text there (no nested keywords).
 */
export function expandFieldAuth(value: string, ctx: AuthContext, line: string, body: string): string {
  return value.replace(/\[authentication([^\]]*)\]/g, (_m, params: string) => {
    const p = new Map<string, string>();
    for (const m of params.matchAll(/([a-zA-Z_]+)=("[^"]*"|\S+)/g)) p.set(m[1] ?? '', (m[2] ?? '').replace(/^"(.*)"$/, '$1'));
    return authorizationFor(
      {
        username: p.get('username') ?? '',
        password: p.get('password') ?? '',
        akaK: p.get('aka_K') ?? '',
        akaOp: p.get('aka_OP') ?? '',
        uri: '',
      },
      ctx,
      line,
      body,
    );
  });
}
