/**
 * The I/O thread of a -workers answering run (the main thread): it owns the run's one UDP socket, hands each
 * datagram to the worker its Call-ID hashes to (call-id-route.ts), through that worker's inbound ring, and
 * sends what the workers write in their reverse rings on the same socket.
 *
 * Why a reverse ring rather than a socket per worker bound to the same port with SO_REUSEPORT: on Linux such
 * sockets also each RECEIVE a share of the incoming datagrams, chosen by a hash of the 4-tuple, which would
 * bypass the Call-ID routing (a call's messages reaching a worker that does not hold it); and dgram's
 * reusePort needs Node ≥ 22.12. One socket sending for all keeps every answer on the port the peer called.
 */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { BindError } from '../transport/transport.js';
import { workerFor } from './call-id-route.js';
import { createRing, RingConsumer, RingProducer } from './ring.js';
import type { WorkerRings } from './ring-transport.js';

/** Room for ~4 MiB of datagrams each way per worker: about 2 s of a 1,000 calls/s UAS's traffic behind. */
const RING_BYTES = 4 * 1024 * 1024;

export interface HandoffFigures {
  /** Datagrams handed to each worker. */
  readonly handed: readonly number[];
  /** Datagrams lost because a worker's inbound ring was full (the worker is behind). */
  readonly inboundDrops: number;
  /** Sends lost because a worker's reverse ring was full (the I/O thread is behind). */
  readonly outboundDrops: number;
  /** Sends the system refused on the socket. */
  readonly sendErrors: number;
}

export class UdpHandoff {
  readonly rings: WorkerRings[];
  private readonly inbound: RingProducer[];
  private readonly outbound: RingConsumer[];
  private scheduled = false;
  private sendErrors = 0;
  private readonly flush = (): void => {
    this.scheduled = false;
    for (const p of this.inbound) p.flush();
  };
  private readonly afterSend = (err: Error | null): void => {
    if (err !== null) this.sendErrors++;
  };

  private constructor(
    private readonly socket: dgram.Socket,
    parts: number,
  ) {
    const a = socket.address();
    const shared = Array.from({ length: parts }, () => ({ inbound: createRing(RING_BYTES), outbound: createRing(RING_BYTES) }));
    this.rings = shared.map((s) => ({ ...s, localAddress: a.address, localPort: a.port }));
    this.inbound = shared.map((s) => new RingProducer(s.inbound));
    this.outbound = shared.map((s) => new RingConsumer(s.outbound));
    socket.on('message', (buf, rinfo) => {
      this.onDatagram(buf, rinfo);
    });
    const send = (bytes: Buffer, start: number, end: number, address: string, port: number): void => {
      // The ring's bytes are released after this callback; dgram sends later: the datagram is copied out.
      try {
        socket.send(Buffer.from(bytes.subarray(start, end)), port, address, this.afterSend);
      } catch {
        this.sendErrors++;
      }
    };
    for (const c of this.outbound) c.listen(send);
  }

  /** Binds the socket: `ports` in order (as UdpTransport.open does); BindError when none can be. */
  static open(address: string, ports: readonly number[], bufferBytes: number, parts: number): Promise<UdpHandoff> {
    return new Promise((resolve, reject) => {
      const attempt = (i: number): void => {
        const port = ports[i] ?? 0;
        const socket = dgram.createSocket({
          type: isIPv6(address) ? 'udp6' : 'udp4',
          recvBufferSize: bufferBytes,
          sendBufferSize: bufferBytes,
        });
        const onError = (err: Error): void => {
          socket.close();
          if (i + 1 < ports.length) attempt(i + 1);
          else reject(new BindError(address, port, err));
        };
        socket.once('error', onError);
        socket.bind(port, address, () => {
          socket.off('error', onError);
          // After the bind, an error is a send the system refused later: counted.
          const h = new UdpHandoff(socket, parts);
          socket.on('error', () => {
            h.sendErrors++;
          });
          resolve(h);
        });
      };
      attempt(0);
    });
  }

  get localPort(): number {
    return this.socket.address().port;
  }

  /** A full ring drops the datagram (counted): the peer retransmits, as after a loss on the wire. */
  private onDatagram(buf: Buffer, rinfo: dgram.RemoteInfo): void {
    this.inbound[workerFor(buf, this.inbound.length)]?.write(buf, rinfo.address, rinfo.port);
    // One wake-up per worker per turn of the event loop, for every datagram read in that turn.
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  figures(): HandoffFigures {
    return {
      handed: this.inbound.map((p) => p.written),
      inboundDrops: this.inbound.reduce((n, p) => n + p.drops, 0),
      outboundDrops: this.outbound.reduce((n, c) => n + c.drops, 0),
      sendErrors: this.sendErrors,
    };
  }

  /** Stops reading; the workers' last sends are sent, then the socket closes. */
  close(): void {
    for (const p of this.inbound) p.close();
    setTimeout(() => {
      try {
        this.socket.close();
      } catch {
        /* closed already */
      }
    }, 50);
  }
}
