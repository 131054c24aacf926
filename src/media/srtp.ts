/**
 * SRTP (RFC 3711) for RTP: AES-CM encryption (§4.1.1) and HMAC-SHA1 authentication (§4.2.1) with session keys
 * derived from a master key and salt (§4.3.1, key derivation rate 0), the rollover counter kept per SSRC
 * (§3.3.1) and a receiver's index estimate (Appendix A). The suites are RFC 4568 §6.2's AES_CM_128_HMAC_SHA1_80
 * and _32 (one code path, a 10- or 4-octet tag), and the NULL-cipher twins SIPp 3.7 offers, which are the same
 * with the payload left in clear (as RFC 4568 §6.3.2's UNENCRYPTED_SRTP session parameter asks).
 *
 * Cost per packet: one `aes-128-ecb` cipher per session, made once and fed complete counter blocks (ECB keeps no
 * state between update() calls, so one object serves every packet), and HMAC-SHA1 from keyed states computed once
 * (hmac-sha1.ts). node:crypto allocates the keystream it returns; nothing else is allocated per packet.
 * No replay list (§3.3.2): a replayed packet is authenticated and counted as a duplicate by the RTP
 * statistics, which is what a load tool wants to see.
 */
import { createCipheriv, type Cipher } from 'node:crypto';
import { HmacSha1 } from './hmac-sha1.js';

export const MASTER_KEY_BYTES = 16;
export const MASTER_SALT_BYTES = 14;
/** §4.2.1: the session authentication key of HMAC-SHA1 is 160 bits. */
const AUTH_KEY_BYTES = 20;
const BLOCK = 16;
const RTP_HEADER_BYTES = 12;
/** §4.3.1's labels for SRTP (SRTCP's are 3, 4, 5). */
const LABEL_CIPHER_KEY = 0x00;
const LABEL_AUTH_KEY = 0x01;
const LABEL_SALT = 0x02;

/** What a suite does: whether the payload is encrypted (AES-CM) or left in clear, and the tag's length. */
export interface SrtpPolicy {
  readonly encrypt: boolean;
  readonly tagBytes: number;
}

/** RFC 4568 §6.2's suites and SIPp 3.7's NULL-cipher ones, by their SDP names. */
export const SRTP_SUITES = {
  AES_CM_128_HMAC_SHA1_80: { encrypt: true, tagBytes: 10 },
  AES_CM_128_HMAC_SHA1_32: { encrypt: true, tagBytes: 4 },
  NULL_HMAC_SHA1_80: { encrypt: false, tagBytes: 10 },
  NULL_HMAC_SHA1_32: { encrypt: false, tagBytes: 4 },
} as const satisfies Record<string, SrtpPolicy>;
export type SrtpSuiteName = keyof typeof SRTP_SUITES;
/** The longest tag: what protect() adds to a packet at most. */
export const MAX_TAG_BYTES = 10;

export function isSrtpSuite(name: string): name is SrtpSuiteName {
  return Object.hasOwn(SRTP_SUITES, name);
}

/** Why unprotect() refused a packet (negative, so that a length is never mistaken for one). */
export const SrtpError = {
  /** Shorter than an RTP header plus the tag, or not RTP version 2. */
  Malformed: -1,
  /** The tag does not match: wrong key, tampered, or not SRTP at all. */
  AuthFailed: -2,
} as const;

/** AES-CM keystream (§4.1.1): AES_k(iv + j) for j = 0, 1, ... (iv's low 16 bits are zero), `length` octets. Load time. */
export function aesCmKeystream(key: Uint8Array, iv: Uint8Array, length: number): Buffer {
  const blocks = Math.ceil(length / BLOCK);
  if (blocks > 0x10000) throw new RangeError(`AES-CM keystream of ${length} octets: at most 2^16 blocks per IV (RFC 3711 §4.1.1)`);
  const counters = Buffer.alloc(blocks * BLOCK);
  for (let j = 0; j < blocks; j++) {
    counters.set(iv.subarray(0, 14), j * BLOCK);
    counters[j * BLOCK + 14] = (iv[14] ?? 0) ^ (j >>> 8);
    counters[j * BLOCK + 15] = (iv[15] ?? 0) ^ (j & 0xff);
  }
  const ecb = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
  return ecb.update(counters).subarray(0, length);
}

export interface SessionKeys {
  readonly cipherKey: Buffer;
  readonly authKey: Buffer;
  readonly salt: Buffer;
}

/**
 * §4.3.1 with a key derivation rate of 0 (SDES's default, RFC 4568 §6.1: r = 0): x = (label || 0^48) XOR
 * master salt, and each key is the AES-CM keystream of the master key at IV x * 2^16. SRTCP's keys (`rtcp`)
 * take labels 3, 4 and 5.
 */
export function deriveSessionKeys(masterKey: Uint8Array, masterSalt: Uint8Array, rtcp = false): SessionKeys {
  if (masterKey.length !== MASTER_KEY_BYTES || masterSalt.length !== MASTER_SALT_BYTES)
    throw new RangeError(`an SRTP master key is ${MASTER_KEY_BYTES} octets and its salt ${MASTER_SALT_BYTES} (RFC 4568 §6.2)`);
  const prf = (label: number, length: number): Buffer => {
    const iv = Buffer.alloc(BLOCK);
    iv.set(masterSalt, 0);
    // The label sits 7 octets from the salt's end (key_id = label || r, r 48 bits).
    iv[MASTER_SALT_BYTES - 7] = (iv[MASTER_SALT_BYTES - 7] ?? 0) ^ (rtcp ? label + 3 : label);
    return aesCmKeystream(masterKey, iv, length);
  };
  return {
    cipherKey: prf(LABEL_CIPHER_KEY, MASTER_KEY_BYTES),
    authKey: prf(LABEL_AUTH_KEY, AUTH_KEY_BYTES),
    salt: prf(LABEL_SALT, MASTER_SALT_BYTES),
  };
}

/** Where a source's packets stand: §3.3.1's ROC and the highest sequence number s_l. */
interface SourceIndex {
  roc: number;
  highest: number;
}

/**
 * One direction of SRTP with one master key: protect() what a call sends, or unprotect() what it receives.
 * Packets are changed in place. Sources (SSRCs) are told apart, each with its own rollover counter.
 */
export class SrtpContext {
  readonly policy: SrtpPolicy;
  private readonly ecb: Cipher;
  private readonly hmac: HmacSha1;
  private readonly salt: Buffer;
  /** Counter blocks: per packet, the IV's first 14 octets are copied in; the last 2 count blocks. */
  private counters: Buffer;
  private readonly rocBytes = Buffer.alloc(4);
  private readonly sources = new Map<number, SourceIndex>();
  private lastSsrc = -1;
  private last: SourceIndex | undefined;

  constructor(masterKey: Uint8Array, masterSalt: Uint8Array, policy: SrtpPolicy) {
    this.policy = policy;
    const keys = deriveSessionKeys(masterKey, masterSalt);
    this.ecb = createCipheriv('aes-128-ecb', keys.cipherKey, null).setAutoPadding(false);
    this.hmac = new HmacSha1(keys.authKey);
    this.salt = keys.salt;
    this.counters = Buffer.alloc(0);
    this.growCounters(1500);
  }

  /** A context for an SDES key: `inline:` base64 of the 30 octets of master key then salt (RFC 4568 §6.1). */
  static fromInline(base64: string, policy: SrtpPolicy): SrtpContext | undefined {
    const raw = Buffer.from(base64, 'base64');
    if (raw.length !== MASTER_KEY_BYTES + MASTER_SALT_BYTES) return undefined;
    return new SrtpContext(raw.subarray(0, MASTER_KEY_BYTES), raw.subarray(MASTER_KEY_BYTES), policy);
  }

  /**
   * Turns the RTP packet in buf[0, length) into SRTP: payload encrypted, tag appended (buf needs tagBytes more
   * room). Returns the new length, or SrtpError.Malformed for something that is not an RTP packet.
   */
  protect(buf: Uint8Array, length: number): number {
    const header = headerBytes(buf, length);
    if (header < 0) return SrtpError.Malformed;
    const seq = ((buf[2] ?? 0) << 8) | (buf[3] ?? 0);
    const src = this.source(buf);
    // §3.3.1: the sender's ROC counts wraps of its sequence number; the estimate does that for packets in order.
    const roc = estimateRoc(src, seq);
    if (this.policy.encrypt) this.crypt(buf, header, length, roc, seq);
    this.writeTag(buf, length, roc);
    commit(src, roc, seq);
    return length + this.policy.tagBytes;
  }

  /**
   * Checks and decrypts the SRTP packet in buf[0, length) in place. Returns the RTP packet's length (the tag
   * dropped), or a negative SrtpError. The source's ROC moves only for an authentic packet (Appendix A).
   */
  unprotect(buf: Uint8Array, length: number): number {
    const tagBytes = this.policy.tagBytes;
    const rtpLength = length - tagBytes;
    const header = rtpLength >= RTP_HEADER_BYTES ? headerBytes(buf, rtpLength) : -1;
    if (header < 0) return SrtpError.Malformed;
    const seq = ((buf[2] ?? 0) << 8) | (buf[3] ?? 0);
    const src = this.source(buf);
    const roc = estimateRoc(src, seq);
    this.rocBytes.writeUInt32BE(roc >>> 0, 0);
    const tag = this.hmac.mac(buf, rtpLength, this.rocBytes);
    let diff = 0;
    for (let i = 0; i < tagBytes; i++) diff |= (tag[i] ?? 0) ^ (buf[rtpLength + i] ?? 0);
    if (diff !== 0) return SrtpError.AuthFailed;
    if (this.policy.encrypt) this.crypt(buf, header, rtpLength, roc, seq);
    commit(src, roc, seq);
    return rtpLength;
  }

  /** The rollover counter of a source (0 for one not seen). */
  rocOf(ssrc: number): number {
    return this.sources.get(ssrc >>> 0)?.roc ?? 0;
  }

  private source(buf: Uint8Array): SourceIndex {
    const ssrc = (((buf[8] ?? 0) << 24) | ((buf[9] ?? 0) << 16) | ((buf[10] ?? 0) << 8) | (buf[11] ?? 0)) >>> 0;
    if (ssrc === this.lastSsrc && this.last !== undefined) return this.last;
    let src = this.sources.get(ssrc);
    if (src === undefined) {
      // §3.3.1: a new source starts at ROC 0; s_l is set by its first packet (commit()).
      src = { roc: 0, highest: -1 };
      this.sources.set(ssrc, src);
    }
    this.lastSsrc = ssrc;
    this.last = src;
    return src;
  }

  /** XORs the AES-CM keystream of packet index roc * 2^16 + seq into buf[from, to) (§4.1.1). */
  private crypt(buf: Uint8Array, from: number, to: number, roc: number, seq: number): void {
    const n = to - from;
    if (n <= 0) return;
    const blocks = Math.ceil(n / BLOCK);
    if (blocks * BLOCK > this.counters.length) this.growCounters(blocks * BLOCK);
    // IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16): the salt fills octets 0-13, the SSRC XORs into
    // 4-7, the 48-bit index into 8-13; octets 14-15 stay for the block counter.
    const c = this.counters;
    const s = this.salt;
    c[0] = s[0] ?? 0;
    c[1] = s[1] ?? 0;
    c[2] = s[2] ?? 0;
    c[3] = s[3] ?? 0;
    c[4] = (s[4] ?? 0) ^ (buf[8] ?? 0);
    c[5] = (s[5] ?? 0) ^ (buf[9] ?? 0);
    c[6] = (s[6] ?? 0) ^ (buf[10] ?? 0);
    c[7] = (s[7] ?? 0) ^ (buf[11] ?? 0);
    c[8] = (s[8] ?? 0) ^ ((roc >>> 24) & 0xff);
    c[9] = (s[9] ?? 0) ^ ((roc >>> 16) & 0xff);
    c[10] = (s[10] ?? 0) ^ ((roc >>> 8) & 0xff);
    c[11] = (s[11] ?? 0) ^ (roc & 0xff);
    c[12] = (s[12] ?? 0) ^ (seq >>> 8);
    c[13] = (s[13] ?? 0) ^ (seq & 0xff);
    for (let j = 1; j < blocks; j++) c.copy(c, j * BLOCK, 0, 14);
    const keystream = this.ecb.update(c.subarray(0, blocks * BLOCK));
    for (let i = 0; i < n; i++) buf[from + i] = (buf[from + i] ?? 0) ^ (keystream[i] ?? 0);
  }

  /** §4.2: the tag, the first tagBytes of HMAC(auth key, packet || ROC), appended at buf[length]. */
  private writeTag(buf: Uint8Array, length: number, roc: number): void {
    this.rocBytes.writeUInt32BE(roc >>> 0, 0);
    const tag = this.hmac.mac(buf, length, this.rocBytes);
    for (let i = 0; i < this.policy.tagBytes; i++) buf[length + i] = tag[i] ?? 0;
  }

  /** Counter blocks for `bytes` of payload; their last two octets (the block number) are written once here. */
  private growCounters(bytes: number): void {
    const blocks = Math.ceil(bytes / BLOCK);
    this.counters = Buffer.alloc(blocks * BLOCK);
    for (let j = 0; j < blocks; j++) {
      this.counters[j * BLOCK + 14] = j >>> 8;
      this.counters[j * BLOCK + 15] = j & 0xff;
    }
  }
}

/**
 * The header's length (RFC 3550 §5.1: 12 octets, the CSRCs, the extension), which SRTP leaves in clear
 * (§3.1); -1 when the packet is not RTP version 2 or shorter than its header.
 */
function headerBytes(buf: Uint8Array, length: number): number {
  if (length < RTP_HEADER_BYTES || (buf[0] ?? 0) >> 6 !== 2) return -1;
  let n = RTP_HEADER_BYTES + 4 * ((buf[0] ?? 0) & 0x0f);
  if (((buf[0] ?? 0) & 0x10) !== 0) {
    if (length < n + 4) return -1;
    n += 4 + 4 * (((buf[n + 2] ?? 0) << 8) | (buf[n + 3] ?? 0));
  }
  return n <= length ? n : -1;
}

/** Appendix A's estimate v of the packet's ROC from the source's ROC and s_l; 0 for a source's first packet. */
export function estimateRoc(src: { readonly roc: number; readonly highest: number }, seq: number): number {
  if (src.highest < 0) return src.roc;
  if (src.highest < 32768) return seq - src.highest > 32768 ? (src.roc - 1) >>> 0 : src.roc;
  return src.highest - 32768 > seq ? (src.roc + 1) >>> 0 : src.roc;
}

/** §3.3.1 after a packet is authentic (or sent): ROC and s_l move forward, never back. */
function commit(src: SourceIndex, v: number, seq: number): void {
  if (src.highest < 0) {
    src.roc = v;
    src.highest = seq;
  } else if (v === (src.roc + 1) >>> 0) {
    src.roc = v;
    src.highest = seq;
  } else if (v === src.roc && seq > src.highest) src.highest = seq;
}
