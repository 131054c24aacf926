/**
 * Connection-oriented transports: TCP, TLS, and WebSocket over either (RFC 7118). Like SIPp, a listening
 * socket takes the peers' connections (each one an Endpoint calls answer on), and calls placed go out on
 * one connection for all (-t t1, l1, ws1) or one per call (-t tn, ln, wsn), up to -max_socket at once.
 */
import net from 'node:net';
import tls from 'node:tls';
import { transportErrorKind } from '../events/transport-error.js';
import { Connection, SipStreamCodec, type LostHow, type WireCodec } from './connection.js';
import type { Endpoint, Transport, TransportHandler } from './transport.js';
import { BindError } from './transport.js';
import { WebSocketCodec } from './websocket.js';
import { asError } from '../thrown.js';

export interface TlsFiles {
  readonly cert: Buffer | undefined;
  readonly key: Buffer | undefined;
  readonly ca: Buffer | undefined;
  /** -tls_crl: certificates this revocation list names are refused when the peer is verified (-tls_ca). */
  readonly crl?: Buffer | undefined;
  /** -tls_version: pins the protocol version, else negotiated. */
  readonly version: tls.SecureVersion | undefined;
}

export interface StreamOptions {
  readonly name: 'TCP' | 'TLS' | 'WS' | 'WSS';
  readonly bindAddress: string;
  readonly ports: readonly number[];
  readonly perCall: boolean;
  /** Where calls go: connected at open in one-connection modes. */
  readonly remote: { readonly address: string; readonly port: number } | undefined;
  readonly tls: TlsFiles | undefined;
  /** -max_reconnect: new connections allowed after the shared one is lost. */
  readonly maxReconnect: number;
  /** -reconnect_close: calls on a lost connection fail (else they go on over the new one). */
  readonly reconnectClose: boolean;
  /** -reconnect_sleep: wait before reconnecting. */
  readonly reconnectSleepMs: number;
  /** -max_socket: most per-call connections open at once; later calls share them. */
  readonly maxSocket: number;
}

export class ConnectError extends Error {
  constructor(
    readonly address: string,
    readonly port: number,
    transport: string,
    cause: string,
  ) {
    super(`cannot open a ${transport} connection to ${address.includes(':') ? `[${address}]` : address}:${port}: ${cause}`);
    this.name = 'ConnectError';
  }
}

/**
 * The endpoint calls hold in one-connection modes: it sends over the current connection, which a
 * reconnection (-max_reconnect) replaces without the calls noticing.
 */
class SharedLink implements Endpoint {
  openCalls = 0;

  constructor(public current: Connection) {}

  get localAddress(): string {
    return this.current.localAddress;
  }

  get localPort(): number {
    return this.current.localPort;
  }

  get congested(): boolean {
    return this.current.congested;
  }

  send(raw: string): boolean {
    return this.current.send(raw);
  }
}

export class StreamTransport implements Transport {
  readonly reliable = true;
  private readonly connections = new Set<Connection>();
  /** What calls share in one-connection modes. */
  private shared: SharedLink | undefined;
  private reconnects = 0;
  /** Calls placed while the shared connection is being opened again (-reconnect_sleep). */
  private waiting: ((endpoint: Endpoint) => void)[] = [];
  private reconnectTimer: NodeJS.Timeout | undefined;
  private nextShare = 0;
  private perCallOpen: Connection[] = [];

  private constructor(
    private readonly o: StreamOptions,
    private readonly server: net.Server,
    readonly localPort: number,
    private readonly handler: TransportHandler,
  ) {}

  get name(): StreamOptions['name'] {
    return this.o.name;
  }

  get localAddress(): string {
    return this.o.bindAddress;
  }

  /** Listens (ports tried in order), then, when calls will be placed over one connection, opens it. */
  static async open(o: StreamOptions, handler: TransportHandler): Promise<StreamTransport> {
    let lastError: Error | undefined;
    for (const port of o.ports) {
      const attempt = await StreamTransport.listen(o, port, handler).catch((e: unknown) => {
        lastError = asError(e);
        return undefined;
      });
      if (attempt === undefined) continue;
      const t = attempt;
      if (!o.perCall && o.remote !== undefined) {
        try {
          t.shared = new SharedLink(await t.dialNow(o.remote.address, o.remote.port));
        } catch (e) {
          await t.close();
          throw e;
        }
      }
      return t;
    }
    throw new BindError(o.bindAddress, o.ports[o.ports.length - 1] ?? 0, lastError ?? new Error('no port'), o.name);
  }

  acquire(ready: (endpoint: Endpoint) => void): void {
    const remote = this.o.remote;
    if (remote === undefined) {
      ready(this.deadEnd());
      return;
    }
    if (!this.o.perCall) {
      if (this.reconnectTimer !== undefined) this.waiting.push(ready);
      else ready(this.shared ?? this.deadEnd());
      return;
    }
    if (this.perCallOpen.length >= this.o.maxSocket) {
      // SIPp compat (-max_socket): past the limit, calls are spread over the connections already open.
      const c = this.perCallOpen[this.nextShare++ % this.perCallOpen.length];
      if (c !== undefined) {
        ready(c);
        return;
      }
    }
    const c = this.dial(remote.address, remote.port);
    c.slot = this.perCallOpen.push(c) - 1;
    ready(c);
  }

  acquireTo(address: string, port: number, ready: (endpoint: Endpoint) => void): void {
    const c = this.dial(address, port);
    c.slot = this.perCallOpen.push(c) - 1;
    ready(c);
  }

  closeOwn(endpoint: Endpoint): boolean {
    if (!this.o.perCall || !(endpoint instanceof Connection) || endpoint.slot < 0 || endpoint.openCalls > 1) return false;
    this.forget(endpoint);
    endpoint.close();
    return true;
  }

  release(endpoint: Endpoint): void {
    if (!this.o.perCall || !(endpoint instanceof Connection)) return;
    // The engine counted the ending call out of openCalls before releasing its endpoint.
    if (endpoint.slot < 0 || endpoint.openCalls > 0) return;
    // SIPp compat: a call's own connection is closed when the call ends (the last call, when shared).
    this.forget(endpoint);
    endpoint.close();
  }

  close(): Promise<void> {
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    for (const ready of this.waiting.splice(0)) ready(this.deadEnd());
    const sockets = [...this.connections].map((c) => c.socket);
    for (const c of this.connections) c.close();
    const closed = sockets.map((s) => (s.destroyed ? Promise.resolve() : new Promise<void>((r) => s.once('close', () => r()))));
    // Connections close once their last bytes are out; one the peer holds open is cut after a moment.
    const cut = setTimeout(() => {
      for (const s of sockets) s.destroy();
    }, 500);
    closed.push(new Promise<void>((r) => this.server.close(() => r())));
    return Promise.all(closed).then(() => clearTimeout(cut));
  }

  /** Connects now and resolves once the connection is open, for the one a run cannot go without. */
  private dialNow(address: string, port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = this.socketTo(address, port);
      const fail = (e: Error): void => reject(new ConnectError(address, port, this.o.name, e.message));
      socket.once('error', fail);
      socket.once(this.o.tls !== undefined ? 'secureConnect' : 'connect', () => {
        socket.off('error', fail);
        resolve(this.adopt(socket, codecFor(this.o.name, 'client', address, port), true));
      });
    });
  }

  /** Connects in the background; what is sent meanwhile waits in the connection. */
  private dial(address: string, port: number): Connection {
    // The callback runs on a later event, once `c` is set.
    const socket = this.socketTo(address, port, () => c.onTcpConnected());
    const c = this.adopt(socket, codecFor(this.o.name, 'client', address, port), false);
    socket.once(this.o.tls !== undefined ? 'secureConnect' : 'connect', () => c.onConnected());
    return c;
  }

  /** `tcpConnected`: TLS only, when the TCP connection is up and the handshake starts. */
  private socketTo(address: string, port: number, tcpConnected?: () => void): net.Socket {
    const local = isAny(this.o.bindAddress) ? undefined : this.o.bindAddress;
    const tcp = net.connect({ host: address, port, localAddress: local, noDelay: true });
    const t = this.o.tls;
    if (t === undefined) return tcp;
    if (tcpConnected !== undefined) tcp.once('connect', tcpConnected);
    // SIPp compat: the server's certificate is checked only against a -tls_ca given. `host` is the name the
    // certificate must carry (RFC 5922 §7.1; an IP address against its IP SANs): without it, Node checks a
    // wrapped socket's certificate against "localhost". SNI is sent for names only (RFC 6066 §3).
    return tls.connect({
      socket: tcp,
      host: address,
      cert: t.cert,
      key: t.key,
      ca: t.ca,
      crl: t.crl,
      rejectUnauthorized: t.ca !== undefined,
      minVersion: t.version,
      maxVersion: t.version,
      servername: net.isIP(address) === 0 ? address : undefined,
    });
  }

  adopt(socket: net.Socket, codec: WireCodec, connected: boolean): Connection {
    const c = new Connection(socket, codec, this.localPort, connected, this.handler, (lost, how) => this.lost(lost, how));
    this.connections.add(c);
    socket.once('close', () => this.connections.delete(c));
    return c;
  }

  private lost(c: Connection, how: LostHow): void {
    this.forget(c);
    const link = this.shared;
    if (link === undefined || link.current !== c) {
      this.handler.onConnectionLost(c, how);
      return;
    }
    const remote = this.o.remote;
    if (remote !== undefined && this.reconnects < this.o.maxReconnect) {
      // SIPp compat: -reconnect_sleep, then a new connection; calls placed meanwhile wait for it.
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = undefined;
        this.reconnects++;
        link.current = this.dial(remote.address, remote.port);
        for (const ready of this.waiting.splice(0)) ready(link);
      }, this.o.reconnectSleepMs);
      // -reconnect_close false: the calls on the lost connection carry on over the next one.
      if (!this.o.reconnectClose) return;
    }
    this.handler.onConnectionLost(link, how);
  }

  /** Out of the per-call list in O(1): the last one takes its place. */
  private forget(c: Connection): void {
    const i = c.slot;
    if (i < 0) return;
    const last = this.perCallOpen.pop();
    if (last !== undefined && last !== c) {
      this.perCallOpen[i] = last;
      last.slot = i;
    }
    c.slot = -1;
  }

  private static listen(o: StreamOptions, port: number, handler: TransportHandler): Promise<StreamTransport> {
    return new Promise((resolve, reject) => {
      let transport: StreamTransport | undefined;
      const accept = (socket: net.Socket): void => {
        if (transport === undefined) {
          socket.destroy();
          return;
        }
        transport.adopt(socket, codecFor(o.name, 'server', '', 0), true);
      };
      const t = o.tls;
      const server =
        t === undefined
          ? net.createServer({ noDelay: true }, accept)
          : tls.createServer({ cert: t.cert, key: t.key, ca: t.ca, crl: t.crl, minVersion: t.version, maxVersion: t.version }, accept);
      // A peer failing its TLS handshake is its trouble, not the run's: counted, no call is lost.
      server.on('tlsClientError', (e: Error) => handler.onTransportError('tls', e));
      server.once('error', reject);
      server.listen({ host: o.bindAddress, port, exclusive: true }, () => {
        server.off('error', reject);
        server.on('error', (e: Error) => handler.onTransportError(transportErrorKind(e, 'connect'), e));
        const a = server.address();
        transport = new StreamTransport(o, server, typeof a === 'object' && a !== null ? a.port : port, handler);
        resolve(transport);
      });
    });
  }

  /** An endpoint for a call that has nowhere to go: every send fails, counted. */
  private deadEnd(): Endpoint {
    return { localAddress: this.o.bindAddress, localPort: this.localPort, openCalls: 0, send: () => false };
  }
}

const isAny = (a: string): boolean => a === '0.0.0.0' || a === '::' || a === '';

function codecFor(name: StreamOptions['name'], side: 'client' | 'server', host: string, port: number): WireCodec {
  return name === 'WS' || name === 'WSS' ? new WebSocketCodec(side, host, port) : new SipStreamCodec();
}
