/**
 * A call's media sockets: RTP on an even port of the range (rtp-ports.ts), RTCP on the next, received RTP fed
 * to a statistics slot (rtp-stats.ts), RTCP counted apart.
 */
import dgram from 'node:dgram';
import type { RtpPortRange } from './rtp-ports.js';
import { Datagram, type RtpStreamStats } from './rtp-stats.js';
import { SrtpError, type SrtpContext } from './srtp.js';
import { bindSocket, closeSocket } from './udp-socket.js';
import { errnoCode } from '../thrown.js';

/**
 * RFC 5761 §4's demultiplexing rule: a datagram whose second octet is 192..223 is RTCP (RTCP packet types
 * SR 200 .. APP 204 of RFC 3550 §6 among them); anything else is RTP. Used on both ports, so an RTCP packet
 * that arrives on the RTP port (rtcp-mux, or a peer that got the port wrong) never reaches the RTP statistics.
 */
export function isRtcp(datagram: Uint8Array): boolean {
  const b = datagram[1] ?? 0;
  return datagram.length >= 2 && b >= 192 && b <= 223;
}

/** Counts of what arrived on a call's media ports. */
export interface MediaCounts {
  rtpPackets: number;
  rtpBytes: number;
  rtcpPackets: number;
  /** RTP-port datagrams that are not RTP version 2 (too short, other version). */
  invalid: number;
  /** Datagrams that could not be sent (errors are counted, never thrown). */
  sendErrors: number;
  /** With `srtp` set: RTP-port datagrams that failed SRTP authentication (dropped). */
  srtpAuthFailures: number;
}

export interface MediaSocketOptions {
  /** The statistics that received RTP is fed to, at `slot`. */
  readonly stats?: RtpStreamStats | undefined;
  readonly slot?: number;
  /** The arrival clock in ms (default performance.now). */
  readonly now?: () => number;
  /** The RTP socket's send and receive buffer size (SIPp's -rtp_buffsize); the system's default otherwise. */
  readonly bufferBytes?: number | undefined;
}

/** One call's media: RTP on an even port of the range, RTCP on the next, received RTP fed to a stats slot. */
export class MediaSocket {
  readonly counts: MediaCounts = { rtpPackets: 0, rtpBytes: 0, rtcpPackets: 0, invalid: 0, sendErrors: 0, srtpAuthFailures: 0 };
  /**
   * When set, what arrives on the RTP port is SRTP (RFC 3711): authenticated and decrypted with this context
   * before it counts; a packet that fails is counted in srtpAuthFailures and goes no further.
   */
  srtp: SrtpContext | undefined = undefined;
  /**
   * With `srtp` set: called with each authentic packet once decrypted (in a buffer reused by the next one), and
   * where it came from. An SRTP call's echo re-protects what it gets here (SIPp 3.7 does the same).
   */
  onSrtp: ((rtp: Buffer, length: number, from: dgram.RemoteInfo) => void) | undefined = undefined;
  /** Where a packet is decrypted: the received buffer stays as it came (an echo sends it back unchanged). */
  private scratch = Buffer.alloc(2048);
  private closed = false;
  // Every send passes this callback: without one, node:dgram drops a failed send's error silently (EMSGSIZE,
  // ENOBUFS, ECONNREFUSED on a connected socket), where a send error must be a counted outcome.
  private readonly onSendDone = (err: Error | null): void => {
    if (err !== null) this.counts.sendErrors++;
  };

  private constructor(
    private readonly range: RtpPortRange,
    readonly port: number,
    readonly rtp: dgram.Socket,
    readonly rtcp: dgram.Socket,
    private stats: RtpStreamStats | undefined,
    private slot: number,
    private readonly now: () => number,
  ) {
    rtp.on('message', (msg, rinfo) => {
      this.onRtpPort(msg, rinfo);
    });
    rtcp.on('message', () => {
      this.counts.rtcpPackets++;
    });
    // A send or receive error on a media socket is counted, never a crash.
    rtp.on('error', () => {
      this.counts.sendErrors++;
    });
    rtcp.on('error', () => {
      this.counts.sendErrors++;
    });
  }

  /**
   * Binds a pair from `range` on `host`. A pair another program holds is skipped (and put back in the range
   * for later); after trying every pair once, fails with the range's exhaustion error.
   */
  static async open(range: RtpPortRange, host: string, options: MediaSocketOptions = {}): Promise<MediaSocket> {
    const { stats, slot = 0, now = () => performance.now(), bufferBytes } = options;
    const family = host.includes(':') ? 'udp6' : 'udp4';
    for (let tries = 0; tries < range.pairs; tries++) {
      const port = range.take();
      if (port === undefined) break;
      const rtp = dgram.createSocket(family);
      const rtcp = dgram.createSocket(family);
      try {
        await bindSocket(rtp, port, host);
        await bindSocket(rtcp, port + 1, host);
        if (bufferBytes !== undefined) {
          rtp.setRecvBufferSize(bufferBytes);
          rtp.setSendBufferSize(bufferBytes);
        }
        return new MediaSocket(range, port, rtp, rtcp, stats, slot, now);
      } catch (err) {
        closeSocket(rtp);
        closeSocket(rtcp);
        range.release(port);
        if (errnoCode(err) !== 'EADDRINUSE') throw err;
      }
    }
    throw range.exhausted();
  }

  /** A pair bound ahead of its call (media-runtime.ts, spares): what it receives from now on is the call's slot's. */
  attach(stats: RtpStreamStats | undefined, slot: number): void {
    this.stats = stats;
    this.slot = slot;
  }

  /**
   * Sends an RTP datagram to an address. node:dgram resolves the address first, even an IP literal, and
   * sends on the next tick: the buffer must not change before then (a pacer catching up sends the same
   * stream several times in one tick, so it must use a buffer per packet here, or connect() and sendToPeer()).
   */
  send(datagram: Uint8Array, port: number, address: string): void {
    if (this.closed) return;
    this.rtp.send(datagram, port, address, this.onSendDone);
  }

  /**
   * Fixes the RTP socket's peer (symmetric RTP, RFC 4961: the call sends to and receives from one address):
   * sendToPeer() then hands the datagram to the kernel at once, with no lookup and no tick in between, and
   * the kernel drops RTP datagrams from anyone else (the RTCP port stays open to all).
   */
  connect(port: number, address: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.rtp.connect(port, address, (err?: Error) => {
        if (err === undefined) resolve();
        else reject(err);
      });
    });
  }

  /** Sends an RTP datagram to the connected peer, synchronously: the buffer can be reused on return. */
  sendToPeer(datagram: Uint8Array): void {
    if (this.closed) return;
    this.rtp.send(datagram, this.onSendDone);
  }

  /** Sends an RTCP datagram from the RTCP port. */
  sendRtcp(datagram: Uint8Array, port: number, address: string): void {
    if (this.closed) return;
    this.rtcp.send(datagram, port, address, this.onSendDone);
  }

  /** Closes both sockets and gives the pair back to the range. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSocket(this.rtp);
    closeSocket(this.rtcp);
    this.range.release(this.port);
  }

  private onRtpPort(received: Buffer, from: dgram.RemoteInfo): void {
    if (isRtcp(received)) {
      this.counts.rtcpPackets++;
      return;
    }
    let msg = received;
    let length = received.length;
    if (this.srtp !== undefined) {
      if (this.scratch.length < length) this.scratch = Buffer.alloc(length);
      received.copy(this.scratch);
      length = this.srtp.unprotect(this.scratch, length);
      if (length < 0) {
        if (length === SrtpError.Malformed) this.counts.invalid++;
        else this.counts.srtpAuthFailures++;
        return;
      }
      msg = this.scratch;
      this.onSrtp?.(msg, length, from);
    }
    if (this.stats === undefined) {
      if (length >= 12 && (msg[0] ?? 0) >> 6 === 2) {
        this.counts.rtpPackets++;
        this.counts.rtpBytes += length;
      } else this.counts.invalid++;
      return;
    }
    // Other SSRCs still count as RTP packets here; the stats keep them apart.
    // The scratch buffer is longer than the packet: the stats read only its header, and the length checked here.
    const kind = length < 12 ? Datagram.TooShort : this.stats.onDatagram(this.slot, msg, this.now());
    if (kind === Datagram.TooShort || kind === Datagram.NotVersion2) this.counts.invalid++;
    else {
      this.counts.rtpPackets++;
      this.counts.rtpBytes += length;
    }
  }
}
