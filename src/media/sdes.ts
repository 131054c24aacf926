/**
 * SDES (RFC 4568) for one media line of a call: from the crypto lines the call sent and the ones its peer sent,
 * the key each direction uses. Each side sends with the key of its own a=crypto line and receives with the
 * key of its peer's (§6.1: the inline key is the sender's); the answer names the offer's tag and suite it took
 * (§5.1.2), so the pair is the one with the same tag and suite, else the first with the same suite. SIPp 3.7
 * matches the same way by suite, swapping to its secondary line when the answer took it (call.cpp,
 * check_audio_ciphersuite_match).
 */
import type { SdesCrypto } from './sdp-crypto.js';
import { SrtcpSender } from './srtcp.js';
import { isSrtpSuite, SRTP_SUITES, SrtpContext } from './srtp.js';

export interface SrtpPair {
  /** Protects what the call sends (its own key). */
  readonly tx: SrtpContext;
  /** Unprotects what the peer sends (the peer's key). */
  readonly rx: SrtpContext;
  /** Protects the call's RTCP reports (SRTCP, the call's key). */
  readonly txRtcp: SrtcpSender;
  readonly suite: string;
  /** The two keys, to tell a renegotiation that changed nothing (the contexts, and their ROCs, are kept). */
  readonly keys: string;
}

export type SdesResult =
  { readonly kind: 'plain' } | { readonly kind: 'srtp'; readonly pair: SrtpPair } | { readonly kind: 'refused'; readonly reason: string };

const PLAIN: SdesResult = { kind: 'plain' };

/** Negotiates one media line; `current` is kept when the keys did not change. */
export function negotiateSdes(local: readonly SdesCrypto[], remote: readonly SdesCrypto[], current?: SrtpPair): SdesResult {
  if (local.length === 0 || remote.length === 0) return PLAIN;
  let l: SdesCrypto | undefined;
  let r: SdesCrypto | undefined;
  for (const x of remote) {
    l = local.find((y) => y.tag === x.tag && y.suite === x.suite);
    if (l !== undefined) {
      r = x;
      break;
    }
  }
  if (r === undefined)
    for (const x of remote) {
      l = local.find((y) => y.suite === x.suite);
      if (l !== undefined) {
        r = x;
        break;
      }
    }
  if (l === undefined || r === undefined) {
    const ours = local.map((x) => x.suite).join(', ');
    const theirs = remote.map((x) => x.suite).join(', ');
    return { kind: 'refused', reason: `no crypto suite in common (sent ${ours}; the peer's ${theirs})` };
  }
  const suite = r.suite;
  if (!isSrtpSuite(suite))
    return { kind: 'refused', reason: `crypto suite ${suite} is not supported (sipts has ${Object.keys(SRTP_SUITES).join(', ')})` };
  const keys = `${l.key} ${r.key}`;
  if (current !== undefined && current.keys === keys && current.suite === suite) return { kind: 'srtp', pair: current };
  const base = SRTP_SUITES[suite];
  // RFC 4568 §6.3.2: UNENCRYPTED_SRTP in a line means its sender's packets are authenticated but not encrypted.
  const tx = SrtpContext.fromInline(l.key, { encrypt: base.encrypt && !l.unencrypted, tagBytes: base.tagBytes });
  const rx = SrtpContext.fromInline(r.key, { encrypt: base.encrypt && !r.unencrypted, tagBytes: base.tagBytes });
  // UNENCRYPTED_SRTP leaves SRTCP encrypted: that one is UNENCRYPTED_SRTCP's (§6.3.2), which sipts never sends.
  const txRtcp = SrtcpSender.fromInline(l.key, base.encrypt);
  if (tx === undefined || txRtcp === undefined)
    return { kind: 'refused', reason: `the key sent (inline:${l.key}) is not 30 octets of base64` };
  if (rx === undefined) return { kind: 'refused', reason: `the peer's key (inline:${r.key}) is not 30 octets of base64` };
  return { kind: 'srtp', pair: { tx, rx, txRtcp, suite, keys } };
}
