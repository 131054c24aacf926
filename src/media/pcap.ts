import { readFileSync } from 'node:fs';
import { buildClip, type RawDatagram } from './clip-builder.js';
import type { MediaClip } from './clip.js';
import { checkLinkType, decodeFrame } from './frame-decode.js';
import { mediaFileError } from './media-error.js';
import { staticClockRate } from './payload-types.js';
import { parseRtpHeader } from './rtp-packet.js';
import { messageOf } from '../thrown.js';

/**
 * Capture files → media clip, what SIPp's play_pcap_audio / play_pcap_video replay: every UDP payload in file
 * order, with its time. Classic pcap (both byte orders, µs or ns timestamps) and pcapng (IETF draft
 * draft-ietf-opsawg-pcapng: section header, interface description, enhanced and simple packet blocks, per
 * interface link type and timestamp resolution; other blocks are skipped).
 */

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const PCAPNG_IDB = 1;
const PCAPNG_SPB = 3;
const PCAPNG_EPB = 6;
const PCAPNG_OPT_IF_TSRESOL = 9;

/** A datagram whose time may be unknown (a pcapng simple packet block has none). */
interface Timed {
  readonly payload: Buffer;
  readonly dstPort: number;
  timeUs: number | undefined;
}

export function loadCaptureFile(path: string): MediaClip {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw mediaFileError(
      path,
      0,
      `cannot read the capture file: ${messageOf(e)}`,
      'check the path of play_pcap_audio / play_pcap_video (relative paths are from the working directory)',
    );
  }
  return readCapture(bytes, path);
}

/** Reads a pcap or pcapng file's bytes; `file` names it in errors. */
export function readCapture(bytes: Buffer, file: string): MediaClip {
  if (bytes.length < 4) throw mediaFileError(file, 0, 'too short for a capture file', 'give a pcap or pcapng file (Wireshark, tcpdump)');
  const be = bytes.readUInt32BE(0);
  const le = bytes.readUInt32LE(0);
  let timed: Timed[];
  if (be === PCAPNG_SHB) timed = readPcapng(bytes, file);
  else if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS) timed = readPcap(bytes, file, false, be === PCAP_MAGIC_NS);
  else if (le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS) timed = readPcap(bytes, file, true, le === PCAP_MAGIC_NS);
  else {
    throw mediaFileError(
      file,
      0,
      `not a pcap or pcapng file (it starts 0x${be.toString(16).padStart(8, '0')})`,
      'give a capture saved as pcap or pcapng (Wireshark: File > Save As, tcpdump -w)',
    );
  }
  if (timed.length === 0)
    throw mediaFileError(
      file,
      bytes.length,
      'no UDP packets in the capture',
      'the capture must hold the RTP packets to play (UDP over IPv4 or IPv6)',
    );
  return buildClip(fillMissingTimes(timed));
}

function readPcap(bytes: Buffer, file: string, littleEndian: boolean, nanoseconds: boolean): Timed[] {
  if (bytes.length < 24)
    throw mediaFileError(
      file,
      bytes.length,
      'the pcap file header is cut short (24 octets expected)',
      'the file is damaged: capture it again',
    );
  const u32 = (at: number): number => (littleEndian ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  // The low 16 bits are the link type; the top bits may carry FCS information (pcap spec, LinkType field).
  const linkType = u32(20) & 0xffff;
  checkLinkType(linkType, file, 20);
  const out: Timed[] = [];
  // Times are kept from the first record's whole second: µs since the epoch need 51 bits, leaving a float no
  // room for nanoseconds.
  let firstSeconds: number | undefined;
  let at = 24;
  while (at < bytes.length) {
    if (at + 16 > bytes.length)
      throw mediaFileError(
        file,
        at,
        'a packet record header is cut short (16 octets expected)',
        'the file is damaged or was still being written: capture it again',
      );
    const seconds = u32(at);
    const fraction = u32(at + 4);
    const included = u32(at + 8);
    const dataAt = at + 16;
    if (dataAt + included > bytes.length)
      throw mediaFileError(
        file,
        at + 8,
        `a packet record says ${included} octets but the file ends after ${bytes.length - dataAt}`,
        'the file is damaged or was still being written: capture it again',
      );
    const d = decodeFrame(bytes.subarray(dataAt, dataAt + included), linkType, littleEndian, file, dataAt);
    firstSeconds ??= seconds;
    if (d !== undefined)
      out.push({
        payload: d.payload,
        dstPort: d.dstPort,
        timeUs: (seconds - firstSeconds) * 1e6 + (nanoseconds ? fraction / 1000 : fraction),
      });
    at = dataAt + included;
  }
  return out;
}

interface Interface {
  readonly linkType: number;
  /** Timestamp units per second. */
  readonly unitsPerSecond: bigint;
}

function readPcapng(bytes: Buffer, file: string): Timed[] {
  const out: Timed[] = [];
  let littleEndian = true;
  let interfaces: Interface[] = [];
  // As for pcap: times from the first packet's whole second, so that a float keeps sub-µs precision.
  let firstSeconds: bigint | undefined;
  let at = 0;
  while (at < bytes.length) {
    if (at + 12 > bytes.length)
      throw mediaFileError(
        file,
        at,
        'a pcapng block header is cut short',
        'the file is damaged or was still being written: capture it again',
      );
    if (bytes.readUInt32BE(at) === PCAPNG_SHB) {
      // A new section: its byte-order magic says how the rest of the section is written.
      const magicLe = bytes.readUInt32LE(at + 8);
      if (magicLe === PCAPNG_BYTE_ORDER_MAGIC) littleEndian = true;
      else if (bytes.readUInt32BE(at + 8) === PCAPNG_BYTE_ORDER_MAGIC) littleEndian = false;
      else
        throw mediaFileError(file, at + 8, 'a pcapng section header with a bad byte-order magic', 'the file is damaged: capture it again');
      interfaces = [];
    }
    const u32 = (p: number): number => (littleEndian ? bytes.readUInt32LE(p) : bytes.readUInt32BE(p));
    const u16 = (p: number): number => (littleEndian ? bytes.readUInt16LE(p) : bytes.readUInt16BE(p));
    const type = u32(at);
    const length = u32(at + 4);
    if (length < 12 || length % 4 !== 0 || at + length > bytes.length) {
      throw mediaFileError(
        file,
        at + 4,
        `a pcapng block of length ${length} (a multiple of 4, at least 12, within the file's ${bytes.length - at} remaining octets expected)`,
        'the file is damaged or was still being written: capture it again',
      );
    }
    const body = at + 8;
    const end = at + length - 4;
    if (type === PCAPNG_IDB) {
      const linkType = u16(body);
      checkLinkType(linkType, file, body);
      interfaces.push({ linkType, unitsPerSecond: tsResolution(bytes, body + 8, end, u16, file) });
    } else if (type === PCAPNG_EPB) {
      const id = u32(body);
      const iface = interfaces[id];
      if (iface === undefined)
        throw mediaFileError(
          file,
          body,
          `a packet on interface ${id}, which no interface description block defined`,
          'the file is damaged: capture it again',
        );
      const captured = u32(body + 12);
      const dataAt = body + 20;
      if (dataAt + captured > end)
        throw mediaFileError(
          file,
          body + 12,
          `a packet of ${captured} octets in a block with room for ${end - dataAt}`,
          'the file is damaged: capture it again',
        );
      const units = (BigInt(u32(body + 4)) << 32n) | BigInt(u32(body + 8));
      const seconds = units / iface.unitsPerSecond;
      const rest = units % iface.unitsPerSecond;
      firstSeconds ??= seconds;
      const timeUs = Number(seconds - firstSeconds) * 1e6 + (Number(rest) * 1e6) / Number(iface.unitsPerSecond);
      const d = decodeFrame(bytes.subarray(dataAt, dataAt + captured), iface.linkType, littleEndian, file, dataAt);
      if (d !== undefined) out.push({ payload: d.payload, dstPort: d.dstPort, timeUs });
    } else if (type === PCAPNG_SPB) {
      const iface = interfaces[0];
      if (iface === undefined)
        throw mediaFileError(
          file,
          body,
          'a simple packet block before any interface description block',
          'the file is damaged: capture it again',
        );
      const original = u32(body);
      const dataAt = body + 4;
      const captured = Math.min(original, end - dataAt);
      const d = decodeFrame(bytes.subarray(dataAt, dataAt + captured), iface.linkType, littleEndian, file, dataAt);
      if (d !== undefined) out.push({ payload: d.payload, dstPort: d.dstPort, timeUs: undefined });
    }
    at += length;
  }
  return out;
}

/** if_tsresol: 10^-n seconds, or 2^-n with the top bit set; absent: microseconds. */
function tsResolution(bytes: Buffer, at: number, end: number, u16: (p: number) => number, file: string): bigint {
  while (at + 4 <= end) {
    const code = u16(at);
    const length = u16(at + 2);
    if (code === 0) break;
    if (code === PCAPNG_OPT_IF_TSRESOL && length >= 1) {
      const v = bytes[at + 4] ?? 6;
      const exponent = BigInt(v & 0x7f);
      if ((v & 0x80) !== 0 ? exponent > 63n : exponent > 18n)
        throw mediaFileError(
          file,
          at + 4,
          `an interface timestamp resolution of ${v & 0x80 ? '2' : '10'}^-${v & 0x7f} s, finer than sipts reads`,
          'capture with micro- or nanosecond timestamps',
        );
      return (v & 0x80) !== 0 ? 1n << exponent : 10n ** exponent;
    }
    at += 4 + Math.ceil(length / 4) * 4;
  }
  return 1_000_000n;
}

/**
 * A simple packet block has no timestamp. Its time is taken from the RTP clock when the packet is RTP of a
 * static payload type that came before with a time (the timestamp step over the clock rate), else it is sent
 * with the packet before it.
 */
function fillMissingTimes(timed: Timed[]): RawDatagram[] {
  const last = new Map<number, { timeUs: number; timestamp: number; clockRate: number }>();
  let previous = 0;
  return timed.map((t) => {
    const h = parseRtpHeader(t.payload);
    let timeUs = t.timeUs;
    if (timeUs === undefined) {
      const before = h === undefined ? undefined : last.get(h.ssrc);
      timeUs =
        before !== undefined && h !== undefined
          ? before.timeUs + (((h.timestamp - before.timestamp) | 0) * 1e6) / before.clockRate
          : previous;
    }
    const clockRate = h === undefined ? undefined : staticClockRate(h.payloadType);
    if (h !== undefined && clockRate !== undefined) last.set(h.ssrc, { timeUs, timestamp: h.timestamp, clockRate });
    previous = timeUs;
    return { payload: t.payload, dstPort: t.dstPort, timeUs };
  });
}
