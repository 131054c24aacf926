/**
 * RTCP reports (RFC 3550 §6.4) as a compound packet (§6.1): a sender report (SR, PT 200) when the source has
 * sent RTP, else a receiver report (RR, PT 201), with at most one report block about the source it receives,
 * then the SDES CNAME (§6.5.1) every compound packet must carry. Built once per report interval per call,
 * so it may allocate.
 *
 *   SR: V=2 P RC | PT=200 | length  ·  SSRC  ·  NTP timestamp (64 bits)  ·  RTP timestamp  ·  packets  ·  octets
 *   report block: SSRC  ·  fraction lost (8) | cumulative lost (24, signed)  ·  extended highest seq  ·  jitter
 *                 ·  LSR  ·  DLSR
 */

/** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
const NTP_UNIX_OFFSET_S = 2208988800;
const PT_SR = 200;
const PT_RR = 201;
const PT_SDES = 202;
const SDES_CNAME = 1;

export interface SenderInfo {
  /** Wallclock time of the report, ms since the Unix epoch (§6.4.1's NTP timestamp). */
  readonly wallclockMs: number;
  /** The RTP timestamp of that same instant. */
  readonly rtpTimestamp: number;
  /** Packets and payload octets (headers and padding excluded) sent since the source started. */
  readonly packets: number;
  readonly octets: number;
}

export interface ReportBlock {
  /** The source reported on. */
  readonly ssrc: number;
  /** Lost since the previous report, as a fraction of 256 (RFC 3550 A.3). */
  readonly fractionLost: number;
  /** Expected minus received since the source's start (may be negative with duplicates). */
  readonly cumulativeLost: number;
  /** Cycles × 65536 + the highest sequence number received. */
  readonly extendedHighestSeq: number;
  /** Interarrival jitter in timestamp units (A.8). */
  readonly jitter: number;
  /** Middle 32 bits of the last SR's NTP timestamp from that source, and the delay since it, 1/65536 s; 0 if none. */
  readonly lastSr: number;
  readonly delaySinceLastSr: number;
}

export interface RtcpReport {
  readonly ssrc: number;
  readonly sender?: SenderInfo | undefined;
  readonly blocks: readonly ReportBlock[];
  readonly cname: string;
}

/** The compound packet of `r`. */
export function buildRtcpReport(r: RtcpReport): Buffer {
  const blocks = r.blocks.slice(0, 31);
  const reportBytes = (r.sender === undefined ? 8 : 28) + 24 * blocks.length;
  const cname = Buffer.from(r.cname.slice(0, 255), 'utf8').subarray(0, 255);
  // SDES: header, one chunk (SSRC, CNAME item, a terminating null item), padded to 32 bits (§6.5).
  const chunkBytes = 4 + 2 + cname.length + 1;
  const sdesBytes = 4 + Math.ceil(chunkBytes / 4) * 4;
  const out = Buffer.alloc(reportBytes + sdesBytes);
  out[0] = 0x80 | blocks.length;
  out[1] = r.sender === undefined ? PT_RR : PT_SR;
  out.writeUInt16BE(reportBytes / 4 - 1, 2);
  out.writeUInt32BE(r.ssrc >>> 0, 4);
  let at = 8;
  if (r.sender !== undefined) {
    const s = r.sender;
    const seconds = Math.floor(s.wallclockMs / 1000);
    const fraction = Math.floor(((s.wallclockMs - seconds * 1000) / 1000) * 2 ** 32);
    out.writeUInt32BE((seconds + NTP_UNIX_OFFSET_S) >>> 0, 8);
    out.writeUInt32BE(Math.min(fraction, 2 ** 32 - 1) >>> 0, 12);
    out.writeUInt32BE(s.rtpTimestamp >>> 0, 16);
    out.writeUInt32BE(s.packets >>> 0, 20);
    out.writeUInt32BE(s.octets >>> 0, 24);
    at = 28;
  }
  for (const b of blocks) {
    out.writeUInt32BE(b.ssrc >>> 0, at);
    // §6.4.1: cumulative lost is a signed 24-bit number, clamped at its extremes.
    const lost = Math.max(-0x800000, Math.min(0x7fffff, Math.trunc(b.cumulativeLost)));
    out.writeUInt32BE((((b.fractionLost & 0xff) << 24) | (lost & 0xffffff)) >>> 0, at + 4);
    out.writeUInt32BE(b.extendedHighestSeq >>> 0, at + 8);
    out.writeUInt32BE(Math.max(0, Math.round(b.jitter)) >>> 0, at + 12);
    out.writeUInt32BE(b.lastSr >>> 0, at + 16);
    out.writeUInt32BE(b.delaySinceLastSr >>> 0, at + 20);
    at += 24;
  }
  out[at] = 0x81; // V=2, one chunk
  out[at + 1] = PT_SDES;
  out.writeUInt16BE(sdesBytes / 4 - 1, at + 2);
  out.writeUInt32BE(r.ssrc >>> 0, at + 4);
  out[at + 8] = SDES_CNAME;
  out[at + 9] = cname.length;
  cname.copy(out, at + 10);
  // The rest stays 0: the null item that ends the chunk and the padding.
  return out;
}
