import {
  LINKTYPE_ETHERNET,
  LINKTYPE_IEEE802_11,
  LINKTYPE_IEEE802_11_RADIOTAP,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
} from './frame-decode.js';

/**
 * UDP payload → captured frame, for the capture files sipts writes (generated media, test captures). Addresses
 * are loopback (127.0.0.1, ::1) unless given: these files are samples, not traffic.
 */
export interface FrameOptions {
  readonly linkType?: number;
  readonly ipVersion?: 4 | 6;
  /** Ethernet only: an 802.1Q tag with this VLAN id. */
  readonly vlan?: number;
  /** IPv6 only: a hop-by-hop options header (8 octets of padding options) before UDP. */
  readonly ipv6HopByHop?: boolean;
  readonly srcPort: number;
  readonly dstPort: number;
  /** NULL link type: the byte order of the 4-octet family, as the capturing host wrote it. */
  readonly littleEndian?: boolean;
}

export function encodeFrame(payload: Uint8Array, o: FrameOptions): Buffer {
  const ip = o.ipVersion === 6 ? ipv6Packet(payload, o) : ipv4Packet(payload, o);
  const ipType = o.ipVersion === 6 ? 0x86dd : 0x0800;
  const linkType = o.linkType ?? LINKTYPE_ETHERNET;
  let link: Buffer;
  switch (linkType) {
    case LINKTYPE_ETHERNET: {
      link = Buffer.alloc(o.vlan === undefined ? 14 : 18);
      // Locally administered MAC addresses (RFC 7042 §2.1), destination then source.
      Buffer.from([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1]).copy(link, 0);
      if (o.vlan !== undefined) {
        link.writeUInt16BE(0x8100, 12);
        link.writeUInt16BE(o.vlan & 0x0fff, 14);
      }
      link.writeUInt16BE(ipType, link.length - 2);
      break;
    }
    case LINKTYPE_LINUX_SLL:
      link = Buffer.alloc(16);
      link.writeUInt16BE(0, 0); // sent to us
      link.writeUInt16BE(772, 2); // ARPHRD_LOOPBACK
      link.writeUInt16BE(6, 4);
      link.writeUInt16BE(ipType, 14);
      break;
    case LINKTYPE_LINUX_SLL2:
      link = Buffer.alloc(20);
      link.writeUInt16BE(ipType, 0);
      link.writeUInt32BE(1, 4); // interface index
      link.writeUInt16BE(772, 8);
      link[11] = 6;
      break;
    case LINKTYPE_NULL: {
      link = Buffer.alloc(4);
      const family = o.ipVersion === 6 ? 30 : 2;
      if (o.littleEndian ?? true) link.writeUInt32LE(family, 0);
      else link.writeUInt32BE(family, 0);
      break;
    }
    case LINKTYPE_RAW:
      link = Buffer.alloc(0);
      break;
    case LINKTYPE_IEEE802_11:
    case LINKTYPE_IEEE802_11_RADIOTAP: {
      // A QoS data frame to the access point (To DS): 24 octets + QoS control, then LLC/SNAP and the EtherType.
      const radiotap = linkType === LINKTYPE_IEEE802_11_RADIOTAP ? Buffer.from([0, 0, 8, 0, 0, 0, 0, 0]) : Buffer.alloc(0);
      const mac = Buffer.alloc(26);
      mac[0] = 0x88; // type 2 (data), subtype 8 (QoS data)
      mac[1] = 0x01; // To DS
      Buffer.from([0x02, 0, 0, 0, 0, 3, 0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2]).copy(mac, 4);
      const snap = Buffer.from([0xaa, 0xaa, 0x03, 0, 0, 0, ipType >> 8, ipType & 0xff]);
      link = Buffer.concat([radiotap, mac, snap]);
      break;
    }
    default:
      throw new RangeError(`encodeFrame: link type ${linkType} is not written`);
  }
  return Buffer.concat([link, ip]);
}

function udpDatagram(payload: Uint8Array, o: FrameOptions): Buffer {
  const udp = Buffer.alloc(8 + payload.length);
  udp.writeUInt16BE(o.srcPort, 0);
  udp.writeUInt16BE(o.dstPort, 2);
  udp.writeUInt16BE(udp.length, 4);
  // Checksum 0: "no checksum" over IPv4 (RFC 768). Over IPv6 it is computed below (RFC 8200 §8.1).
  udp.set(payload, 8);
  return udp;
}

function ipv4Packet(payload: Uint8Array, o: FrameOptions): Buffer {
  const udp = udpDatagram(payload, o);
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + udp.length, 2);
  h.writeUInt16BE(0x4000, 6); // DF, not a fragment
  h[8] = 64;
  h[9] = 17;
  Buffer.from([127, 0, 0, 1, 127, 0, 0, 1]).copy(h, 12);
  h.writeUInt16BE(internetChecksum(h, 0), 10);
  return Buffer.concat([h, udp]);
}

function ipv6Packet(payload: Uint8Array, o: FrameOptions): Buffer {
  const udp = udpDatagram(payload, o);
  const hop = o.ipv6HopByHop === true ? Buffer.from([17, 0, 1, 4, 0, 0, 0, 0]) : Buffer.alloc(0); // next UDP, PadN
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(hop.length + udp.length, 4);
  h[6] = hop.length > 0 ? 0 : 17;
  h[7] = 64;
  h[23] = 1; // ::1
  h[39] = 1;
  // Pseudo-header sum (source, destination, upper-layer length, next header 17) then the datagram.
  const pseudo = Buffer.alloc(40);
  h.copy(pseudo, 0, 8, 40);
  pseudo.writeUInt32BE(udp.length, 32);
  pseudo[39] = 17;
  const sum = internetChecksum(Buffer.concat([pseudo, udp]), 0);
  udp.writeUInt16BE(sum === 0 ? 0xffff : sum, 6);
  return Buffer.concat([h, hop, udp]);
}

/** RFC 1071 one's-complement sum; `initial` lets a pseudo-header be summed first. */
function internetChecksum(b: Buffer, initial: number): number {
  let sum = initial;
  for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i);
  if (b.length % 2 === 1) sum += (b[b.length - 1] ?? 0) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
