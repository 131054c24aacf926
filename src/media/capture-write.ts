import type { MediaClip } from './clip.js';
import { encodeFrame, type FrameOptions } from './frame-encode.js';

/**
 * Writes a clip as a capture file that Wireshark, tcpdump and SIPp's play_pcap read: for generated sample media
 * (tone.ts) and for tests. Each packet goes to `dstPort` plus its port offset.
 */
export interface CaptureOptions extends FrameOptions {
  /** Absolute time of the first packet, µs since the epoch. */
  readonly startUs?: number;
  readonly nanoseconds?: boolean;
  readonly littleEndian?: boolean;
}

const SNAPLEN = 65535;

/** Classic pcap (tcpdump.org/manpages/pcap-savefile.5): 24-octet header, then 16-octet record headers. */
export function writePcap(clip: MediaClip, o: CaptureOptions): Buffer {
  const le = o.littleEndian ?? true;
  const parts: Buffer[] = [];
  const header = Buffer.alloc(24);
  u32(header, 0, o.nanoseconds === true ? 0xa1b23c4d : 0xa1b2c3d4, le);
  u16(header, 4, 2, le);
  u16(header, 6, 4, le);
  u32(header, 16, SNAPLEN, le);
  u32(header, 20, o.linkType ?? 1, le);
  parts.push(header);
  clip.packets.forEach((p, i) => {
    const frame = encodeFrame(p, { ...o, dstPort: o.dstPort + (clip.portOffsets[i] ?? 0) });
    const timeUs = (o.startUs ?? 0) + (clip.offsetsUs[i] ?? 0);
    const seconds = Math.floor(timeUs / 1e6);
    const record = Buffer.alloc(16);
    u32(record, 0, seconds, le);
    u32(record, 4, o.nanoseconds === true ? Math.round((timeUs - seconds * 1e6) * 1000) : Math.round(timeUs - seconds * 1e6), le);
    u32(record, 8, frame.length, le);
    u32(record, 12, frame.length, le);
    parts.push(record, frame);
  });
  return Buffer.concat(parts);
}

/**
 * pcapng (draft-ietf-opsawg-pcapng): a section header block, one interface description block (with if_tsresol
 * when nanoseconds are asked), an enhanced packet block per packet.
 */
export function writePcapng(clip: MediaClip, o: CaptureOptions): Buffer {
  const le = o.littleEndian ?? true;
  const parts: Buffer[] = [];
  const shb = Buffer.alloc(28);
  u32(shb, 0, 0x0a0d0d0a, le);
  u32(shb, 4, 28, le);
  u32(shb, 8, 0x1a2b3c4d, le);
  u16(shb, 12, 1, le);
  u16(shb, 14, 0, le);
  shb.writeBigInt64LE(-1n, 16); // section length unknown: all ones in either byte order
  u32(shb, 24, 28, le);
  parts.push(shb);
  const options = o.nanoseconds === true ? 12 : 0; // if_tsresol (4 + 1 padded to 8) + opt_endofopt (4)
  const idbLength = 20 + options;
  const idb = Buffer.alloc(idbLength);
  u32(idb, 0, 1, le);
  u32(idb, 4, idbLength, le);
  u16(idb, 8, o.linkType ?? 1, le);
  u32(idb, 12, SNAPLEN, le);
  if (o.nanoseconds === true) {
    u16(idb, 16, 9, le);
    u16(idb, 18, 1, le);
    idb[20] = 9;
  }
  u32(idb, idbLength - 4, idbLength, le);
  parts.push(idb);
  const unitsPerUs = o.nanoseconds === true ? 1000n : 1n;
  clip.packets.forEach((p, i) => {
    const frame = encodeFrame(p, { ...o, dstPort: o.dstPort + (clip.portOffsets[i] ?? 0) });
    const padded = Math.ceil(frame.length / 4) * 4;
    const length = 32 + padded;
    const epb = Buffer.alloc(length);
    // Whole µs and the fraction apart: µs since the epoch times 1000 is past a float's 2^53.
    const timeUs = (o.startUs ?? 0) + (clip.offsetsUs[i] ?? 0);
    const wholeUs = Math.floor(timeUs);
    const units = BigInt(wholeUs) * unitsPerUs + BigInt(Math.round((timeUs - wholeUs) * Number(unitsPerUs)));
    u32(epb, 0, 6, le);
    u32(epb, 4, length, le);
    u32(epb, 8, 0, le);
    u32(epb, 12, Number(units >> 32n), le);
    u32(epb, 16, Number(units & 0xffffffffn), le);
    u32(epb, 20, frame.length, le);
    u32(epb, 24, frame.length, le);
    frame.copy(epb, 28);
    u32(epb, length - 4, length, le);
    parts.push(epb);
  });
  return Buffer.concat(parts);
}

function u32(b: Buffer, at: number, v: number, le: boolean): void {
  if (le) b.writeUInt32LE(v >>> 0, at);
  else b.writeUInt32BE(v >>> 0, at);
}

function u16(b: Buffer, at: number, v: number, le: boolean): void {
  if (le) b.writeUInt16LE(v, at);
  else b.writeUInt16BE(v, at);
}
