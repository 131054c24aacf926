/**
 * A worker's transport in a -workers answering run: no socket of its own. Its datagrams come from the I/O
 * thread through an inbound ring (handoff.ts routes them by Call-ID) and its sends go back through a reverse
 * ring to the I/O thread, which sends them on the run's one socket, so the peer sees every answer come from
 * the port it called.
 */
import type { Endpoint, Transport, TransportHandler } from '../transport/transport.js';
import { RingConsumer, RingProducer, type RingShared } from './ring.js';

/** The rings of one worker, as the I/O thread made them. */
export interface WorkerRings {
  /** I/O thread → worker. */
  readonly inbound: RingShared;
  /** Worker → I/O thread. */
  readonly outbound: RingShared;
  readonly localAddress: string;
  readonly localPort: number;
}

class RingEndpoint implements Endpoint {
  openCalls = 0;
  private scheduled = false;
  private readonly flush = (): void => {
    this.scheduled = false;
    this.out.flush();
  };

  constructor(
    readonly localAddress: string,
    readonly localPort: number,
    private readonly out: RingProducer,
    private readonly handler: TransportHandler,
  ) {}

  /** A full reverse ring (the I/O thread behind) fails the send, counted as a handoff error, as a full socket buffer would. */
  send(raw: string, port: number, address: string): boolean {
    if (!this.out.write(raw, address, port)) {
      this.handler.onTransportError('handoff', new Error("the reverse ring to the socket's thread is full: send dropped"));
      return false;
    }
    // One wake-up of the I/O thread per turn of the event loop, for every send of that turn.
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
    return true;
  }
}

export class RingTransport implements Transport {
  readonly name = 'UDP' as const;
  readonly reliable = false;
  private readonly endpoint: RingEndpoint;
  private readonly out: RingProducer;

  constructor(rings: WorkerRings, handler: TransportHandler) {
    this.out = new RingProducer(rings.outbound);
    const ep = new RingEndpoint(rings.localAddress, rings.localPort, this.out, handler);
    this.endpoint = ep;
    const inbound = new RingConsumer(rings.inbound);
    inbound.listen((bytes, start, end, address, port) => {
      handler.onMessage(bytes.toString('latin1', start, end), address, port, ep);
    });
    // The datagrams the I/O thread could not hand to this worker (its ring full) are this worker's to count, so
    // they reach the run's figures (--json transportErrors.handoff); read once a second, off the hot path.
    let counted = 0;
    const dropped = new Error("this worker's ring was full: a datagram was dropped");
    this.countDrops = (): void => {
      const drops = inbound.drops;
      for (; counted < drops; counted++) handler.onTransportError('handoff', dropped);
    };
    this.watch = setInterval(this.countDrops, 1000);
    this.watch.unref();
  }

  private readonly watch: NodeJS.Timeout;
  private readonly countDrops: () => void;

  get localPort(): number {
    return this.endpoint.localPort;
  }

  acquire(ready: (endpoint: Endpoint) => void): void {
    ready(this.endpoint);
  }

  release(): void {
    return undefined;
  }

  /** What is written is flushed; the I/O thread drains it and stops reading this ring. */
  close(): Promise<void> {
    clearInterval(this.watch);
    this.countDrops();
    this.out.close();
    return Promise.resolve();
  }
}
