import dgram from 'node:dgram';
import { bindSocket, closeSocket } from './udp-socket.js';

/** SIPp's -mb default: the echo's receive buffer; longer datagrams are echoed cut to it. */
export const DEFAULT_ECHO_BUFFER = 2048;

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

  private constructor(
    readonly socket: dgram.Socket,
    private readonly bufferSize: number,
  ) {
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
      throw new RangeError(
        `RTP echo buffer size ${bufferSize}: -mb takes a whole number of bytes above 0 (SIPp's default is ${DEFAULT_ECHO_BUFFER})`,
      );
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
