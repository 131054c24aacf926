/**
 * Media sockets: a port pair per call from a range, and SIPp's RTP echo.
 *
 * Ports: RTP on an even port and RTCP on the next (odd) one (RFC 3550 §11). The range is SIPp's
 * -min_rtp_port / -max_rtp_port (SIPp 3.7; defaults 6000, the -mp default, and 65535: `-mp` sets
 * -min_rtp_port there). SIPp 3.6.1 has neither option: its rtp_stream ports are not configurable.
 *
 * Reuse: never-used pairs are handed out first, then freed ones, oldest freed first, so a port just freed
 * is not given to the next call while the previous call's last packets may still arrive on it.
 */
import dgram from 'node:dgram';
import { Datagram, type RtpStreamStats } from './rtp-stats.js';

/** SIPp's defaults for -min_rtp_port (its DEFAULT_MEDIA_PORT, -mp's default) and -max_rtp_port. */
export const DEFAULT_MIN_RTP_PORT = 6000;
export const DEFAULT_MAX_RTP_PORT = 65535;
/** SIPp's -mb default: the echo's receive buffer; longer datagrams are echoed cut to it. */
export const DEFAULT_ECHO_BUFFER = 2048;

/** The even ports of a range, each with its odd neighbour for RTCP. Pure bookkeeping: no sockets. */
export class RtpPortRange {
  readonly first: number;
  /** Port pairs in the range. */
  readonly pairs: number;
  private cursor = 0;
  /** Freed pair indices, FIFO (a ring of `pairs` entries). */
  private readonly freed: Int32Array;
  private freedHead = 0;
  private freedCount = 0;
  private readonly inUse: Uint8Array;
  private used = 0;

  constructor(readonly min = DEFAULT_MIN_RTP_PORT, readonly max = DEFAULT_MAX_RTP_PORT) {
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 65535) {
      throw new RangeError(`RTP port range ${min}-${max}: ports are whole numbers from 1 to 65535; set -min_rtp_port and -max_rtp_port within them`);
    }
    this.first = min + (min & 1);
    this.pairs = max >= this.first + 1 ? Math.floor((max - this.first + 1) / 2) : 0;
    if (this.pairs === 0) {
      throw new RangeError(`RTP port range ${min}-${max} holds no even port with its odd neighbour (RTP and RTCP, RFC 3550 §11): make -max_rtp_port at least ${this.first + 1}`);
    }
    this.freed = new Int32Array(this.pairs);
    this.inUse = new Uint8Array(this.pairs);
  }

  /** Pairs handed out and not released. */
  get inUseCount(): number {
    return this.used;
  }

  /** An even RTP port whose pair is free, or undefined when every pair is taken. */
  take(): number | undefined {
    let index: number;
    if (this.cursor < this.pairs) index = this.cursor++;
    else if (this.freedCount > 0) {
      index = this.freed[this.freedHead] ?? 0;
      this.freedHead = (this.freedHead + 1) % this.pairs;
      this.freedCount--;
    } else return undefined;
    this.inUse[index] = 1;
    this.used++;
    return this.first + 2 * index;
  }

  /** Gives a pair back (by its RTP port); it is reused after every pair freed before it. */
  release(port: number): void {
    const index = (port - this.first) / 2;
    if (!Number.isInteger(index) || index < 0 || index >= this.pairs || this.inUse[index] !== 1) {
      throw new RangeError(`RTP port ${port} was not taken from the range ${this.min}-${this.max}`);
    }
    this.inUse[index] = 0;
    this.used--;
    this.freed[(this.freedHead + this.freedCount) % this.pairs] = index;
    this.freedCount++;
  }

  /** The error for a call that finds no pair free. */
  exhausted(): Error {
    return new Error(
      `RTP port range ${this.min}-${this.max} exhausted: all ${this.pairs} port pairs (RTP even, RTCP odd) are in use or taken by other programs; ` +
        'widen it with -min_rtp_port/-max_rtp_port or lower the number of simultaneous calls (-l)',
    );
  }
}

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

function bindSocket(socket: dgram.Socket, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    socket.once('error', onError);
    socket.bind(port, host, () => {
      socket.off('error', onError);
      resolve();
    });
  });
}

function closeSocket(socket: dgram.Socket): void {
  try {
    socket.close();
  } catch {
    // Closed already (or never bound): nothing to release.
  }
}

/** One call's media: RTP on an even port of the range, RTCP on the next, received RTP fed to a stats slot. */
export class MediaSocket {
  readonly counts: MediaCounts = { rtpPackets: 0, rtpBytes: 0, rtcpPackets: 0, invalid: 0, sendErrors: 0 };
  private closed = false;
  private readonly onSendDone = (err: Error | null): void => {
    if (err !== null) this.counts.sendErrors++;
  };

  private constructor(
    private readonly range: RtpPortRange,
    readonly port: number,
    readonly rtp: dgram.Socket,
    readonly rtcp: dgram.Socket,
    private readonly stats: RtpStreamStats | undefined,
    private readonly slot: number,
    private readonly now: () => number,
  ) {
    rtp.on('message', (msg) => this.onRtpPort(msg));
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
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      }
    }
    throw range.exhausted();
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

  private onRtpPort(msg: Buffer): void {
    if (isRtcp(msg)) {
      this.counts.rtcpPackets++;
      return;
    }
    if (this.stats === undefined) {
      if (msg.length >= 12 && (msg[0] ?? 0) >> 6 === 2) {
        this.counts.rtpPackets++;
        this.counts.rtpBytes += msg.length;
      } else this.counts.invalid++;
      return;
    }
    // Other SSRCs still count as RTP packets here; the stats keep them apart.
    const kind = this.stats.onDatagram(this.slot, msg, this.now());
    if (kind === Datagram.TooShort || kind === Datagram.NotVersion2) this.counts.invalid++;
    else {
      this.counts.rtpPackets++;
      this.counts.rtpBytes += msg.length;
    }
  }
}

/**
 * SIPp's -rtp_echo on one port: every datagram received is sent back to its sender from the same port,
 * whatever it holds (RTP, RTCP or anything else: SIPp 3.6.1 does not look at it), cut to the buffer size
 * (SIPp compat: -mb, default 2048; a longer datagram is echoed truncated, as SIPp's recvfrom() into a buffer
 * of that size does). SIPp echoes on -mp and on -mp + 2 (audio and video), never on -mp + 1: callers open two.
 * SIPp 3.6.1 binds exactly -mp when it is given, and otherwise tries 6000, 6002, ... (100 tries) for a free
 * pair of the two (sipp.cpp, setup_media_sockets).
 */
export class RtpEcho {
  packets = 0;
  bytes = 0;
  sendErrors = 0;
  private readonly onSendDone = (err: Error | null): void => {
    if (err !== null) this.sendErrors++;
  };

  private constructor(readonly socket: dgram.Socket, private readonly bufferSize: number) {
    socket.on('message', (msg, rinfo) => {
      const out = msg.length > this.bufferSize ? msg.subarray(0, this.bufferSize) : msg;
      this.packets++;
      this.bytes += out.length;
      socket.send(out, rinfo.port, rinfo.address, this.onSendDone);
    });
    socket.on('error', () => {
      this.sendErrors++;
    });
  }

  /** Binds host:port (0 for any free port). */
  static async open(host: string, port: number, bufferSize = DEFAULT_ECHO_BUFFER, socketBufferBytes?: number): Promise<RtpEcho> {
    if (!Number.isInteger(bufferSize) || bufferSize < 1) {
      throw new RangeError(`RTP echo buffer size ${bufferSize}: -mb takes a whole number of bytes above 0 (SIPp's default is ${DEFAULT_ECHO_BUFFER})`);
    }
    const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    try {
      await bindSocket(socket, port, host);
    } catch (err) {
      closeSocket(socket);
      throw err;
    }
    if (socketBufferBytes !== undefined) {
      socket.setRecvBufferSize(socketBufferBytes);
      socket.setSendBufferSize(socketBufferBytes);
    }
    return new RtpEcho(socket, bufferSize);
  }

  get port(): number {
    return this.socket.address().port;
  }

  close(): void {
    closeSocket(this.socket);
  }
}
