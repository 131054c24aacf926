/**
 * One connection of a stream transport (TCP, TLS, WebSocket over either) as an Endpoint: messages out are
 * encoded and written to the socket, bytes in are decoded into messages for the handler. What is written
 * before the connection is open (TCP connect, TLS handshake, WebSocket upgrade), or while the socket holds
 * more than its high-water mark (write() said false, 'drain' has not come), waits in a bounded queue, in
 * order; past the bound a send fails, counted as congestion.
 */
import type net from 'node:net';
import { transportErrorKind } from '../events/transport-error.js';
import { StreamFramer } from './framing.js';
import type { Endpoint, TransportHandler } from './transport.js';

/** How messages sit on the wire of one connection. */
export interface WireCodec {
  /** False until a handshake of the codec's own (WebSocket upgrade) is done. */
  readonly open: boolean;
  /**
   * Bytes in: each whole message to `emit`; `reply` writes to the peer (handshake answers, pongs);
   * `opened` is called once when the codec becomes open. Returns a reason to drop the connection, '' to
   * close it quietly (the peer said goodbye).
   */
  feed(chunk: Buffer, emit: (message: string) => void, reply: (bytes: Buffer) => void, opened: () => void): string | undefined;
  encode(message: string): Buffer;
  /** Bytes to write first, once the socket is connected (a WebSocket client's upgrade request). */
  greeting(): Buffer | undefined;
}

/** SIP directly on the stream, cut by Content-Length. */
export class SipStreamCodec implements WireCodec {
  readonly open = true;
  private readonly framer = new StreamFramer();

  feed(chunk: Buffer, emit: (message: string) => void): string | undefined {
    return this.framer.push(chunk.toString('latin1'), emit);
  }

  encode(message: string): Buffer {
    return Buffer.from(message, 'latin1');
  }

  greeting(): undefined {
    return undefined;
  }
}

const EMPTY = Buffer.alloc(0);

export type LostHow = 'connect' | 'closed';

/**
 * Most bytes a connection queues while it cannot write (not open yet, or waiting for 'drain'): about a
 * thousand INVITEs, a second or more of a busy run. Past it a peer that does not read is congested: sends
 * fail (the call: FailedOutboundCongestion) instead of memory growing without end.
 */
export const QUEUE_LIMIT_BYTES = 1 << 20;

export class Connection implements Endpoint {
  localAddress: string;
  /** The port put in messages: the transport's listening port, where the peer can open a new connection. */
  readonly localPort: number;
  private connected: boolean;
  /** What the socket has not been given yet, oldest first from `head`; `queuedBytes` of it in all. */
  private queue: Buffer[] = [];
  private head = 0;
  private queuedBytes = 0;
  /** write() said false: later messages queue until 'drain'. */
  private draining = false;
  /** A send was refused because the queue was full; cleared once the queue empties. */
  private full = false;
  /** What the socket is doing, which says what kind an error on it is. */
  private doing: 'connect' | 'handshake' | 'open';
  private ended = false;
  /** Where this per-call connection sits in its transport's list (-1: not a per-call connection). */
  slot = -1;
  /** Calls using this connection, kept by the engine (-t tn shares one when -max_socket is reached). */
  openCalls = 0;

  constructor(
    readonly socket: net.Socket,
    private readonly codec: WireCodec,
    listenPort: number,
    connected: boolean,
    private readonly handler: TransportHandler,
    private readonly onGone: (c: Connection, how: LostHow) => void,
    private readonly queueLimitBytes = QUEUE_LIMIT_BYTES,
  ) {
    this.localAddress = socket.localAddress ?? '';
    this.localPort = listenPort;
    this.connected = connected;
    this.doing = connected ? 'open' : 'connect';
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // Counted by kind; 'close' follows and says what was lost, which fails the calls on it.
    socket.on('error', (e: Error) => {
      if (!this.ended) this.handler.onTransportError(transportErrorKind(e, this.doing), e);
    });
    socket.on('close', () => this.gone(this.connected ? 'closed' : 'connect'));
    socket.on('drain', () => {
      this.draining = false;
      this.flush();
    });
    if (connected) this.onConnected();
  }

  /** TLS: the TCP connection is up, the handshake under way; an error now is the handshake's. */
  onTcpConnected(): void {
    if (this.doing === 'connect') this.doing = 'handshake';
  }

  /** The socket is connected (TLS: handshake done): send the codec's greeting, then what waited. */
  onConnected(): void {
    this.connected = true;
    this.doing = 'open';
    this.localAddress = this.socket.localAddress ?? this.localAddress;
    const hello = this.codec.greeting();
    if (hello !== undefined) this.socket.write(hello);
    if (this.codec.open) this.flush();
  }

  get peerAddress(): string {
    return this.socket.remoteAddress ?? '';
  }

  get peerPort(): number {
    return this.socket.remotePort ?? 0;
  }

  /**
   * The socket holds more than its high-water mark (a send would block in SIPp), or the queue refused a
   * send: a send that fails now fails for congestion.
   */
  get congested(): boolean {
    return !this.ended && (this.draining || this.full);
  }

  /** Bytes queued, not yet given to the socket. */
  get queued(): number {
    return this.queuedBytes;
  }

  /**
   * Stream connections ignore the destination: the connection is the destination. False when the
   * connection is gone, or its queue is full (then `congested` is true).
   */
  send(raw: string): boolean {
    if (this.ended) return false;
    const bytes = this.codec.encode(raw);
    if (this.draining || !this.connected || !this.codec.open || this.head < this.queue.length) {
      if (this.queuedBytes + bytes.length > this.queueLimitBytes) {
        this.full = true;
        this.handler.onTransportError(
          'congested',
          new Error(
            `the write queue of the connection to ${this.peerAddress}:${this.peerPort} is full (${this.queuedBytes} bytes): the peer does not read`,
          ),
        );
        return false;
      }
      this.queue.push(bytes);
      this.queuedBytes += bytes.length;
      return true;
    }
    // Node takes the bytes whatever write() says; false means they are over the high-water mark.
    if (!this.socket.write(bytes)) this.draining = true;
    return true;
  }

  /** Closes once what is written is sent, the queue included. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.head === this.queue.length) this.socket.end();
  }

  get closed(): boolean {
    return this.ended;
  }

  // Made once, not per read.
  private readonly emit = (m: string): void => this.handler.onMessage(m, this.peerAddress, this.peerPort, this);
  private readonly reply = (bytes: Buffer): void => {
    this.socket.write(bytes);
  };
  private readonly opened = (): void => this.flush();

  private onData(chunk: Buffer): void {
    const problem = this.codec.feed(chunk, this.emit, this.reply, this.opened);
    if (problem === '') this.close();
    else if (problem !== undefined) {
      this.handler.onTransportError('framing', new Error(`closing the connection from ${this.peerAddress}:${this.peerPort}: ${problem}`));
      this.socket.destroy();
    }
  }

  /** Gives the socket what waited, in order, until it says it has enough (then 'drain' comes back here). */
  private flush(): void {
    if (!this.connected || !this.codec.open) return;
    const q = this.queue;
    while (!this.draining && this.head < q.length) {
      const b = q[this.head] as Buffer;
      q[this.head++] = EMPTY;
      this.queuedBytes -= b.length;
      if (!this.socket.write(b)) this.draining = true;
    }
    if (this.head === q.length) {
      q.length = 0;
      this.head = 0;
      this.full = false;
      if (this.ended && !this.socket.writableEnded) this.socket.end(); // close() waited for the queue
    }
  }

  private gone(how: LostHow): void {
    const byUs = this.ended;
    this.ended = true;
    this.queue.length = 0;
    this.head = 0;
    this.queuedBytes = 0;
    if (!byUs) this.onGone(this, how);
  }
}
