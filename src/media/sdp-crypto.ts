/**
 * SDES crypto attributes (RFC 4568 §9.1) of an SDP body, per media line:
 *
 *   a=crypto:<tag> <crypto-suite> inline:<base64 key||salt>[|lifetime][|MKI:length][;inline:...] [session params]
 *
 * Read for the first m=audio and the first m=video section with a non-zero port (a port of 0 turns a stream
 * down, RFC 3264 §6), from that m= line to the next: SIPp 3.7 reads the same sections (call.cpp,
 * extract_srtp_remote_info), though it keeps only the first two lines of each, where this keeps them all.
 */

export interface SdesCrypto {
  readonly tag: number;
  readonly suite: string;
  /** The first key's base64 (key then salt, RFC 4568 §6.1), lifetime and MKI cut off. */
  readonly key: string;
  /** RFC 4568 §6.3.2: UNENCRYPTED_SRTP among the session parameters (authenticated, not encrypted). */
  readonly unencrypted: boolean;
}

export interface SdpCrypto {
  readonly audio: readonly SdesCrypto[];
  readonly video: readonly SdesCrypto[];
}

const NONE: SdpCrypto = { audio: [], video: [] };

/** The crypto lines of `body`'s audio and video sections (empty lists when there are none). */
export function sdpCrypto(body: string): SdpCrypto {
  if (!body.includes('a=crypto:')) return NONE;
  return { audio: sectionCrypto(body, 'audio'), video: sectionCrypto(body, 'video') };
}

function sectionCrypto(body: string, media: string): SdesCrypto[] {
  const lines = body.split(/\r?\n/);
  let inSection = false;
  let done = false;
  const out: SdesCrypto[] = [];
  for (const line of lines) {
    if (line.startsWith('m=')) {
      if (inSection) done = true;
      if (done) break;
      const m = /^m=(\S+) (\d+)/.exec(line);
      inSection = m !== null && m[1] === media && Number(m[2]) !== 0;
      continue;
    }
    if (!inSection || !line.startsWith('a=crypto:')) continue;
    const c = parseCryptoLine(line.slice('a=crypto:'.length));
    if (c !== undefined) out.push(c);
  }
  return out;
}

/** `<tag> <suite> <key-params> [session params]`; undefined when not of that form or the key is not inline. */
export function parseCryptoLine(value: string): SdesCrypto | undefined {
  const parts = value.trim().split(/\s+/);
  const [tagText, suite, keyParams] = parts;
  if (tagText === undefined || suite === undefined || keyParams === undefined || !/^\d{1,9}$/.test(tagText)) return undefined;
  const inline = /^inline:([^|;]+)/.exec(keyParams);
  if (inline === null) return undefined;
  return { tag: Number(tagText), suite, key: inline[1] ?? '', unencrypted: parts.slice(3).includes('UNENCRYPTED_SRTP') };
}
