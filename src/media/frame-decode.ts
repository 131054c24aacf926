import { mediaFileError } from './media-error.js';

/**
 * From a captured frame to its UDP datagram: link layer, then IPv4 or IPv6, then UDP. Frames that are not
 * IP/UDP (ARP, TCP, ICMP ...) are skipped: a capture of a call holds more than its media.
 */

/** Link-layer header types (the LINKTYPE_ values of pcap and pcapng files, tcpdump.org/linktypes.html). */
export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_IEEE802_11 = 105;
export const LINKTYPE_IEEE802_11_RADIOTAP = 127;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100; // IEEE 802.1Q
const ETHERTYPE_QINQ = 0x88a8; // IEEE 802.1ad
const ETHERTYPE_VLAN_OLD_QINQ = 0x9100;
const IPPROTO_UDP = 17;

export interface UdpDatagram {
  readonly payload: Buffer;
  readonly srcPort: number;
  readonly dstPort: number;
}

const SUPPORTED_LINK_TYPES: readonly number[] = [
  LINKTYPE_NULL,
  LINKTYPE_ETHERNET,
  LINKTYPE_RAW,
  LINKTYPE_LOOP,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_IEEE802_11,
  LINKTYPE_IEEE802_11_RADIOTAP,
];

/** Refuses, with its place in the file, a link type sipts cannot decode; checked once per file or interface. */
export function checkLinkType(linkType: number, file: string, fileOffset: number): void {
  if (!SUPPORTED_LINK_TYPES.includes(linkType)) {
    throw mediaFileError(
      file,
      fileOffset,
      `link-layer type ${linkType} is not supported (Ethernet, Linux cooked SLL/SLL2, raw IP, BSD loopback, 802.11 are)`,
      'capture on an Ethernet, loopback or "any" (Linux cooked) interface, or save the capture as Ethernet',
    );
  }
}

/**
 * The UDP datagram of one frame, undefined when the frame carries something else. `fileOffset` is where the
 * frame's bytes start in the file, for error messages. `littleEndian` is the capture's byte order: the null/
 * loopback header is in the capturing host's order.
 */
export function decodeFrame(
  frame: Buffer,
  linkType: number,
  littleEndian: boolean,
  file: string,
  fileOffset: number,
): UdpDatagram | undefined {
  let at: number;
  let ipVersion: number | undefined;
  switch (linkType) {
    case LINKTYPE_ETHERNET: {
      at = 12;
      let type = u16(frame, at);
      at += 2;
      // 802.1Q / 802.1ad tags: 2 octets of tag control then the next type; they may be stacked.
      while (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_VLAN_OLD_QINQ) {
        type = u16(frame, at + 2);
        at += 4;
      }
      ipVersion = etherTypeVersion(type);
      break;
    }
    case LINKTYPE_LINUX_SLL:
      // packet type, ARPHRD type, address length, 8 octets of address, protocol (an Ethernet type).
      ipVersion = etherTypeVersion(u16(frame, 14));
      at = 16;
      break;
    case LINKTYPE_LINUX_SLL2:
      // protocol type first, then reserved, interface index, ARPHRD type, packet type, address length, address.
      ipVersion = etherTypeVersion(u16(frame, 0));
      at = 20;
      break;
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP: {
      // A 4-octet address family: BSD's AF_INET is 2 everywhere, AF_INET6 is 24, 28 or 30 depending on the OS.
      // NULL is in the capturing host's byte order, LOOP in network order.
      if (frame.length < 4) return undefined;
      const family = linkType === LINKTYPE_LOOP ? frame.readUInt32BE(0) : littleEndian ? frame.readUInt32LE(0) : frame.readUInt32BE(0);
      ipVersion = family === 2 ? 4 : family === 24 || family === 28 || family === 30 ? 6 : undefined;
      at = 4;
      break;
    }
    case LINKTYPE_IEEE802_11:
    case LINKTYPE_IEEE802_11_RADIOTAP: {
      // Radiotap (radiotap.org): version, pad, then the header's length, little-endian; the 802.11 frame follows.
      const start = linkType === LINKTYPE_IEEE802_11_RADIOTAP ? (frame[2] ?? 0) | ((frame[3] ?? 0) << 8) : 0;
      const llc = ieee80211LlcOffset(frame, start);
      if (llc === undefined) return undefined;
      ipVersion = etherTypeVersion(u16(frame, llc + 6));
      at = llc + 8;
      break;
    }
    case LINKTYPE_RAW:
      at = 0;
      ipVersion = (frame[0] ?? 0) >> 4;
      break;
    case LINKTYPE_IPV4:
      at = 0;
      ipVersion = 4;
      break;
    case LINKTYPE_IPV6:
      at = 0;
      ipVersion = 6;
      break;
    default:
      checkLinkType(linkType, file, fileOffset);
      return undefined;
  }
  if (ipVersion === 4) return ipv4(frame, at, file, fileOffset);
  if (ipVersion === 6) return ipv6(frame, at, file, fileOffset);
  return undefined;
}

/**
 * Where the LLC/SNAP header of an 802.11 data frame starts (IEEE 802.11 §9.2: frame control, duration, three
 * addresses, sequence control = 24 octets; a fourth address when both To DS and From DS are set; QoS control for
 * QoS subtypes; HT control when a QoS frame has the +HTC/Order bit). Undefined for management and control frames,
 * frames without data, and protected (encrypted) frames, which a capture of media cannot use.
 * Not SIPp's behaviour: SIPp 3.6.1 reads the frame control as a host-order word and the EtherType as
 * little-endian, and takes no packet from such captures (test/interop/media-pcap-sipp.test.ts); sipts reads them.
 */
function ieee80211LlcOffset(frame: Buffer, start: number): number | undefined {
  const fc0 = frame[start] ?? 0;
  const fc1 = frame[start + 1] ?? 0;
  const type = (fc0 >> 2) & 0x03;
  const subtype = fc0 >> 4;
  if (type !== 2 || (subtype & 0x04) !== 0 || (fc1 & 0x40) !== 0) return undefined; // not data, no data, protected
  const qos = (subtype & 0x08) !== 0;
  let length = 24;
  if ((fc1 & 0x03) === 0x03) length += 6;
  if (qos) length += 2;
  if (qos && (fc1 & 0x80) !== 0) length += 4;
  const llc = start + length;
  // LLC/SNAP: DSAP AA, SSAP AA, UI 03, OUI 00 00 00, then the EtherType.
  if (frame[llc] !== 0xaa || frame[llc + 1] !== 0xaa || frame[llc + 2] !== 0x03) return undefined;
  return llc;
}

function etherTypeVersion(type: number): number | undefined {
  return type === ETHERTYPE_IPV4 ? 4 : type === ETHERTYPE_IPV6 ? 6 : undefined;
}

function ipv4(frame: Buffer, at: number, file: string, fileOffset: number): UdpDatagram | undefined {
  if (frame.length < at + 20) return undefined;
  const headerBytes = ((frame[at] ?? 0) & 0x0f) * 4;
  const totalLength = u16(frame, at + 2);
  const flagsFragment = u16(frame, at + 6);
  const protocol = frame[at + 9] ?? 0;
  if (protocol !== IPPROTO_UDP) return undefined;
  // RFC 791 §3.1: MF flag (0x2000) or a non-zero fragment offset (low 13 bits) means a fragment.
  if ((flagsFragment & 0x3fff) !== 0) {
    throw mediaFileError(
      file,
      fileOffset + at + 6,
      'an IPv4 fragment: sipts does not reassemble fragmented UDP datagrams',
      'capture media whose packets fit the MTU (RTP usually does), or reassemble the capture first (e.g. save it from Wireshark with IP reassembly on)',
    );
  }
  // Ethernet may pad short frames: the IP total length says where the datagram ends.
  const end = Math.min(frame.length, at + totalLength);
  return udp(frame, at + headerBytes, end, totalLength - headerBytes, file, fileOffset);
}

function ipv6(frame: Buffer, at: number, file: string, fileOffset: number): UdpDatagram | undefined {
  if (frame.length < at + 40) return undefined;
  const payloadLength = u16(frame, at + 4);
  let next = frame[at + 6] ?? 0;
  const end = Math.min(frame.length, at + 40 + payloadLength);
  let p = at + 40;
  // RFC 8200 §4: extension headers chain by Next Header; their length is in 8-octet units beyond the first 8
  // (AH, RFC 4302 §2.2: 4-octet units beyond the first 8).
  for (;;) {
    if (next === IPPROTO_UDP) return udp(frame, p, end, end - p, file, fileOffset);
    if (next === 44) {
      throw mediaFileError(
        file,
        fileOffset + p,
        'an IPv6 fragment: sipts does not reassemble fragmented UDP datagrams',
        'capture media whose packets fit the MTU, or reassemble the capture first',
      );
    }
    if (next !== 0 && next !== 43 && next !== 60 && next !== 51 && next !== 135 && next !== 139 && next !== 140) return undefined;
    if (p + 8 > end) return undefined;
    const length = next === 51 ? ((frame[p + 1] ?? 0) + 2) * 4 : ((frame[p + 1] ?? 0) + 1) * 8;
    next = frame[p] ?? 0;
    p += length;
  }
}

function udp(frame: Buffer, at: number, end: number, ipPayloadLength: number, file: string, fileOffset: number): UdpDatagram | undefined {
  if (end < at + 8) {
    throw mediaFileError(
      file,
      fileOffset + at,
      'a UDP header cut short: the capture kept only part of the packet',
      'capture with a snapshot length that keeps whole packets (tcpdump -s 0)',
    );
  }
  const udpLength = u16(frame, at + 4);
  const wanted = at + (udpLength >= 8 ? udpLength : ipPayloadLength);
  if (wanted > end) {
    throw mediaFileError(
      file,
      fileOffset + at,
      `a UDP datagram of ${udpLength} octets of which the capture kept ${end - at}`,
      'capture with a snapshot length that keeps whole packets (tcpdump -s 0)',
    );
  }
  return { payload: frame.subarray(at + 8, wanted), srcPort: u16(frame, at), dstPort: u16(frame, at + 2) };
}

function u16(b: Buffer, at: number): number {
  return ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
}
