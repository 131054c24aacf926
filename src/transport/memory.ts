/**
 * An in-memory network of transports, for tests: what one side sends is queued and handed to the
 * handler bound at its destination when the network is flushed (or at once, in 'sync' delivery). No
 * sockets, no timers, no Promise per message: a test decides when messages arrive, and which are lost.
 *
 * Delivery is queued by default because real transports never deliver inside a send: an engine that
 * sends an INVITE arms its retransmission timer after the send returns, and an answer delivered
 * synchronously would come before that (the 'sync' mode suits a passive recorder on the far side).
 */
import type { Endpoint, Transport, TransportHandler } from './transport.js';

/** One message on the memory network. */
export interface MemoryPacket {
  readonly raw: string;
  readonly fromAddress: string;
  readonly fromPort: number;
  readonly toAddress: string;
  readonly toPort: number;
  /** Order of sending on the network, from 1. */
  readonly seq: number;
  /** The network's clock when it was sent, and when it may be delivered (sent + latency). */
  readonly sentMs: number;
  readonly dueMs: number;
}

/** True: the packet is lost. Applied only to packets sent over unreliable (UDP-like) transports. */
export type LossRule = (packet: MemoryPacket) => boolean;

export interface MemoryNetworkOptions {
  /** 'flush' (default): queued until flush(); 'sync': handed over inside send(). */
  readonly delivery?: 'flush' | 'sync';
  readonly loss?: LossRule | undefined;
  /** The time packets are stamped with; 0 without. */
  readonly clock?: () => number;
  /** One-way delay (ms on `clock`): flush() delivers a packet once the clock has reached sent + latency. */
  readonly latencyMs?: number;
}

/** Loses the `n`th packet (from 1) of those `match` selects (every packet without). */
export function dropNth(n: number, match: (p: MemoryPacket) => boolean = () => true): LossRule {
  let seen = 0;
  return (p) => match(p) && ++seen === n;
}

/** Loses every packet `match` selects, up to `count` of them. */
export function dropFirst(count: number, match: (p: MemoryPacket) => boolean = () => true): LossRule {
  let lost = 0;
  return (p) => {
    if (lost >= count || !match(p)) return false;
    lost++;
    return true;
  };
}

const key = (address: string, port: number): string => `${address}:${port}`;

/** Guards flush() against two sides answering each other for ever. */
const MAX_FLUSH = 1_000_000;

export class MemoryNetwork {
  private readonly bound = new Map<string, MemoryTransport>();
  private queue: MemoryPacket[] = [];
  private seq = 0;
  private readonly delivery: 'flush' | 'sync';
  private readonly clock: () => number;
  private readonly latencyMs: number;
  loss: LossRule | undefined;
  /** Every packet sent, lost or not, in order. */
  readonly sent: MemoryPacket[] = [];
  /** The packets the loss rule took. */
  readonly lost: MemoryPacket[] = [];
  /** Packets to an address nobody is bound at (UDP to a closed port: gone). */
  readonly undeliverable: MemoryPacket[] = [];

  constructor(o: MemoryNetworkOptions = {}) {
    this.delivery = o.delivery ?? 'flush';
    this.loss = o.loss;
    this.clock = o.clock ?? (() => 0);
    this.latencyMs = o.latencyMs ?? 0;
  }

  /** A transport bound at address:port; `reliable`: stream-like (TCP), no loss and no retransmissions. */
  bind(address: string, port: number, handler: TransportHandler, reliable = false): MemoryTransport {
    const k = key(address, port);
    if (this.bound.has(k)) throw new Error(`memory network: ${k} is already bound`);
    const t = new MemoryTransport(this, address, port, handler, reliable);
    this.bound.set(k, t);
    return t;
  }

  unbind(t: MemoryTransport): void {
    const k = key(t.localAddress, t.localPort);
    if (this.bound.get(k) === t) this.bound.delete(k);
  }

  /** Packets waiting for delivery. */
  get pending(): number {
    return this.queue.length;
  }

  /** When the next queued packet may be delivered; undefined when none waits. */
  nextDueMs(): number | undefined {
    let due: number | undefined;
    for (const p of this.queue) if (due === undefined || p.dueMs < due) due = p.dueMs;
    return due;
  }

  send(from: MemoryTransport, raw: string, toPort: number, toAddress: string): boolean {
    const now = this.clock();
    const p: MemoryPacket = {
      raw,
      fromAddress: from.localAddress,
      fromPort: from.localPort,
      toAddress,
      toPort,
      seq: ++this.seq,
      sentMs: now,
      dueMs: now + this.latencyMs,
    };
    this.sent.push(p);
    if (!from.reliable && this.loss?.(p) === true) {
      this.lost.push(p);
      return true;
    }
    if (this.delivery === 'sync' && this.latencyMs === 0) this.deliver(p);
    else this.queue.push(p);
    return true;
  }

  /**
   * Delivers the queued packets that are due, and what their handlers send in turn, until none is due.
   * Returns how many were delivered.
   */
  flush(): number {
    let delivered = 0;
    while (delivered < MAX_FLUSH) {
      const now = this.clock();
      const ready = this.queue.filter((p) => p.dueMs <= now);
      if (ready.length === 0) break;
      this.queue = this.queue.filter((p) => p.dueMs > now);
      for (const p of ready) {
        this.deliver(p);
        delivered++;
      }
    }
    return delivered;
  }

  private deliver(p: MemoryPacket): void {
    const to = this.bound.get(key(p.toAddress, p.toPort));
    if (to === undefined) {
      this.undeliverable.push(p);
      return;
    }
    to.receive(p);
  }
}

/** One side's transport on a MemoryNetwork: one shared endpoint, as -t u1 and t1 have. */
export class MemoryTransport implements Transport {
  readonly name: 'UDP' | 'TCP';
  readonly endpoint: Endpoint;
  private closed = false;

  constructor(
    private readonly network: MemoryNetwork,
    readonly localAddress: string,
    readonly localPort: number,
    private readonly handler: TransportHandler,
    readonly reliable: boolean,
  ) {
    this.name = reliable ? 'TCP' : 'UDP';
    this.endpoint = {
      localAddress,
      localPort,
      openCalls: 0,
      send: (raw, port, address) => !this.closed && this.network.send(this, raw, port, address),
    };
  }

  acquire(ready: (endpoint: Endpoint) => void): void {
    ready(this.endpoint);
  }

  release(): void {
    // The endpoint is shared: nothing of a call's own to let go of.
  }

  /** Hands a packet to this side's handler (the network calls it). */
  receive(p: MemoryPacket): void {
    if (!this.closed) this.handler.onMessage(p.raw, p.fromAddress, p.fromPort, this.endpoint);
  }

  close(): Promise<void> {
    this.closed = true;
    this.network.unbind(this);
    return Promise.resolve();
  }
}
