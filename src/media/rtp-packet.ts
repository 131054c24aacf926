/**
 * RTP fixed header, RFC 3550 §5.1:
 *
 *    0                   1                   2                   3
 *   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *   |                           timestamp                           |
 *   |           synchronization source (SSRC) identifier            |
 *   |            contributing source (CSRC) identifiers             |  (CC of them)
 *
 * then, with X, a header extension (§5.3.1: 16-bit profile value, 16-bit length in 32-bit words, the words), and
 * with P, padding whose last octet counts the padding octets (§5.1).
 */

export const RTP_VERSION = 2;
export const RTP_FIXED_HEADER_BYTES = 12;

export interface RtpHeader {
  readonly version: number;
  readonly padding: boolean;
  readonly extension: boolean;
  readonly csrcCount: number;
  readonly marker: boolean;
  readonly payloadType: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly csrcs: readonly number[];
  /** Where the payload starts: after the CSRCs and the extension. */
  readonly payloadOffset: number;
  /** Payload octets, padding excluded. */
  readonly payloadLength: number;
}

/**
 * Parses an RTP header at the start of `packet`. Undefined when the bytes are not RTP version 2 or are too short
 * for what the header announces (CSRCs, extension, padding): a clip keeps such UDP payloads but does not treat
 * them as RTP. Load time only: allocates the result.
 */
export function parseRtpHeader(packet: Uint8Array): RtpHeader | undefined {
  if (packet.length < RTP_FIXED_HEADER_BYTES) return undefined;
  const b0 = packet[0] ?? 0;
  const b1 = packet[1] ?? 0;
  const version = b0 >> 6;
  if (version !== RTP_VERSION) return undefined;
  const padding = (b0 & 0x20) !== 0;
  const extension = (b0 & 0x10) !== 0;
  const csrcCount = b0 & 0x0f;
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  let offset = RTP_FIXED_HEADER_BYTES + 4 * csrcCount;
  if (packet.length < offset) return undefined;
  const csrcs: number[] = [];
  for (let i = 0; i < csrcCount; i++) csrcs.push(view.getUint32(RTP_FIXED_HEADER_BYTES + 4 * i));
  if (extension) {
    if (packet.length < offset + 4) return undefined;
    offset += 4 + 4 * view.getUint16(offset + 2);
    if (packet.length < offset) return undefined;
  }
  let end = packet.length;
  if (padding) {
    const count = packet[end - 1] ?? 0;
    // §5.1: the count includes the last octet itself, so 0 is not a valid padding length.
    if (count === 0 || end - count < offset) return undefined;
    end -= count;
  }
  return {
    version,
    padding,
    extension,
    csrcCount,
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequenceNumber: view.getUint16(2),
    timestamp: view.getUint32(4),
    ssrc: view.getUint32(8),
    csrcs,
    payloadOffset: offset,
    payloadLength: end - offset,
  };
}

export interface RtpHeaderFields {
  readonly marker: boolean;
  readonly payloadType: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly ssrc: number;
}

/** Writes a 12-octet fixed header (V=2, no padding, no extension, no CSRC) at `offset`; returns the bytes written. */
export function writeRtpHeader(target: Uint8Array, offset: number, h: RtpHeaderFields): number {
  target[offset] = RTP_VERSION << 6;
  target[offset + 1] = (h.marker ? 0x80 : 0) | (h.payloadType & 0x7f);
  writeSeq(target, offset, h.sequenceNumber);
  writeU32(target, offset + 4, h.timestamp);
  writeU32(target, offset + 8, h.ssrc);
  return RTP_FIXED_HEADER_BYTES;
}

/** A new packet: a fixed header then `payload`. Load time only. */
export function buildRtpPacket(h: RtpHeaderFields, payload: Uint8Array): Buffer {
  const packet = Buffer.allocUnsafe(RTP_FIXED_HEADER_BYTES + payload.length);
  writeRtpHeader(packet, 0, h);
  packet.set(payload, RTP_FIXED_HEADER_BYTES);
  return packet;
}

export function readSeq(packet: Uint8Array, offset = 0): number {
  return ((packet[offset + 2] ?? 0) << 8) | (packet[offset + 3] ?? 0);
}

export function readTimestamp(packet: Uint8Array, offset = 0): number {
  return readU32(packet, offset + 4);
}

export function readSsrc(packet: Uint8Array, offset = 0): number {
  return readU32(packet, offset + 8);
}

export function writeSeq(packet: Uint8Array, offset: number, seq: number): void {
  packet[offset + 2] = (seq >>> 8) & 0xff;
  packet[offset + 3] = seq & 0xff;
}

export function writeTimestamp(packet: Uint8Array, offset: number, ts: number): void {
  writeU32(packet, offset + 4, ts);
}

export function writeSsrc(packet: Uint8Array, offset: number, ssrc: number): void {
  writeU32(packet, offset + 8, ssrc);
}

function readU32(b: Uint8Array, at: number): number {
  return (((b[at] ?? 0) << 24) | ((b[at + 1] ?? 0) << 16) | ((b[at + 2] ?? 0) << 8) | (b[at + 3] ?? 0)) >>> 0;
}

function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 24) & 0xff;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}
