/**
 * SRTCP (RFC 3711 §3.4), the sending side: what a call's RTCP report becomes on an SRTP call. The first 8
 * octets (header and sender SSRC) stay in clear, the rest is AES-CM encrypted under the SRTCP session keys
 * (labels 3-5, §4.3.2) with the 31-bit SRTCP index in the IV, then E || index and an 80-bit HMAC-SHA1 tag are
 * appended (RFC 4568 §6.2: 80 bits for SRTCP with both AES_CM_128_HMAC_SHA1 suites). One packet per report
 * interval per call, so this allocates freely.
 */
import { HmacSha1 } from './hmac-sha1.js';
import { aesCmKeystream, deriveSessionKeys, MASTER_KEY_BYTES, MASTER_SALT_BYTES, type SessionKeys } from './srtp.js';

const SRTCP_TAG_BYTES = 10;
const NONE = new Uint8Array(0);

export class SrtcpSender {
  private readonly keys: SessionKeys;
  private readonly hmac: HmacSha1;
  /** The next SRTCP index. libsrtp's first packet carries 1; so do these, for byte-equal packets. */
  private index = 1;

  constructor(
    masterKey: Uint8Array,
    masterSalt: Uint8Array,
    private readonly encrypt: boolean,
  ) {
    this.keys = deriveSessionKeys(masterKey, masterSalt, true);
    this.hmac = new HmacSha1(this.keys.authKey);
  }

  /** From an SDES `inline:` key (RFC 4568 §6.1); undefined when it is not 30 octets of base64. */
  static fromInline(base64: string, encrypt: boolean): SrtcpSender | undefined {
    const raw = Buffer.from(base64, 'base64');
    if (raw.length !== MASTER_KEY_BYTES + MASTER_SALT_BYTES) return undefined;
    return new SrtcpSender(raw.subarray(0, MASTER_KEY_BYTES), raw.subarray(MASTER_KEY_BYTES), encrypt);
  }

  /** The SRTCP packet of the compound RTCP packet `rtcp` (at least its 8-octet header and SSRC). */
  protect(rtcp: Uint8Array): Buffer {
    const i = this.index;
    this.index = (this.index + 1) & 0x7fffffff;
    const out = Buffer.alloc(rtcp.length + 4 + SRTCP_TAG_BYTES);
    out.set(rtcp, 0);
    if (this.encrypt && rtcp.length > 8) {
      // §4.1.1's IV with the sender SSRC (octets 4-7) and the SRTCP index in place of the RTP packet index.
      const iv = Buffer.alloc(16);
      this.keys.salt.copy(iv, 0);
      for (let k = 0; k < 4; k++) iv[4 + k] = (iv[4 + k] ?? 0) ^ (rtcp[4 + k] ?? 0);
      iv.writeUInt32BE((iv.readUInt32BE(10) ^ i) >>> 0, 10);
      const keystream = aesCmKeystream(this.keys.cipherKey, iv, rtcp.length - 8);
      for (let k = 8; k < rtcp.length; k++) out[k] = (out[k] ?? 0) ^ (keystream[k - 8] ?? 0);
    }
    out.writeUInt32BE(((this.encrypt ? 0x80000000 : 0) | i) >>> 0, rtcp.length);
    const tag = this.hmac.mac(out, rtcp.length + 4, NONE);
    out.set(tag.subarray(0, SRTCP_TAG_BYTES), rtcp.length + 4);
    return out;
  }
}
