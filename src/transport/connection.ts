/**
 * One connection of a stream transport (TCP, TLS, WebSocket over either) as an Endpoint: messages out are
 * encoded and written to the socket, bytes in are decoded into messages for the handler. What is written
 * before the connection is open (TCP connect, TLS handshake, WebSocket upgrade) waits in order.
 */
import type net from 'node:net';
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

export type LostHow = 'connect' | 'closed';

export class Connection implements Endpoint {
  localAddress: string;
  /** The port put in messages: the transport's listening port, where the peer can open a new connection. */
  readonly localPort: number;
  private connected: boolean;
  private queue: Buffer[] | undefined;
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
  ) {
    this.localAddress = socket.localAddress ?? '';
    this.localPort = listenPort;
    this.connected = connected;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined); // 'close' follows and says what was lost.
    socket.on('close', () => this.gone(this.connected ? 'closed' : 'connect'));
    if (connected) this.onConnected();
  }

  /** The socket is connected (TLS: handshake done): send the codec's greeting, then what waited. */
  onConnected(): void {
    this.connected = true;
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

  /** Node queues what the socket cannot take at once; past the high-water mark SIPp's send would block. */
  get congested(): boolean {
    return this.socket.writableNeedDrain;
  }

  /** Stream connections ignore the destination: the connection is the destination. */
  send(raw: string): boolean {
    if (this.ended) return false;
    const bytes = this.codec.encode(raw);
    if (!this.connected || !this.codec.open) { (this.queue ??= []).push(bytes); return true; }
    this.socket.write(bytes);
    return true;
  }

  /** Closes once what is written is sent. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.socket.end();
  }

  get closed(): boolean {
    return this.ended;
  }

  // Made once, not per read.
  private readonly emit = (m: string): void => this.handler.onMessage(m, this.peerAddress, this.peerPort, this);
  private readonly reply = (bytes: Buffer): void => { this.socket.write(bytes); };
  private readonly opened = (): void => this.flush();

  private onData(chunk: Buffer): void {
    const problem = this.codec.feed(chunk, this.emit, this.reply, this.opened);
    if (problem === '') this.close();
    else if (problem !== undefined) {
      this.handler.onSendError(new Error(`closing the connection from ${this.peerAddress}:${this.peerPort}: ${problem}`));
      this.socket.destroy();
    }
  }

  private flush(): void {
    const q = this.queue;
    this.queue = undefined;
    if (q !== undefined) for (const b of q) this.socket.write(b);
  }

  private gone(how: LostHow): void {
    const byUs = this.ended;
    this.ended = true;
    this.queue = undefined;
    if (!byUs) this.onGone(this, how);
  }
}
