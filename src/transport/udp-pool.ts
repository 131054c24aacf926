/**
 * UDP sockets: one shared socket for every call (-t u1), or one socket per call (-t un) taken from a
 * free list, so that a socket is opened once and reused by later calls.
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import { isIP, isIPv6 } from 'node:net';
import { transportErrorKind } from '../events/transport-error.js';
import { SendChecks } from './send-check.js';
import { BindError, type Endpoint, type Transport, type TransportHandler } from './transport.js';
import { asError } from '../thrown.js';

class UdpEndpoint implements Endpoint {
  localAddress = '';
  localPort = 0;
  openCalls = 0;
  constructor(
    readonly socket: dgram.Socket,
    private readonly handler: TransportHandler,
  ) {}

  /**
   * One callback for the socket, not a closure per packet; given to the sends that ask for their outcome
   * (SendChecks: not every send, as each asking send costs dgram a tick).
   */
  private readonly afterSend = (err: Error | null): void => {
    if (err === null) return;
    this.checks.sawError();
    this.handler.onTransportError(transportErrorKind(err, 'send'), err);
  };
  private readonly checks = new SendChecks();

  send(raw: string, port: number, address: string): boolean {
    try {
      const bytes = Buffer.from(raw, 'latin1');
      if (this.checks.ask(bytes.length)) this.socket.send(bytes, port, address, this.afterSend);
      else this.socket.send(bytes, port, address);
      return true;
    } catch (e) {
      const error = asError(e);
      this.handler.onTransportError(transportErrorKind(error, 'send'), error);
      return false;
    }
  }
}

/** The last IP literal looked up and its family (4 or 6); none before the first. */
let lastLiteral: string | undefined;
let lastFamily = 0;

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * dgram resolves the destination of every datagram, IP literal or not, through dns.lookup, which answers
 * on the next tick: a tick and a closure per datagram. Destinations here are IP literals (the remote is
 * resolved once at start, a peer's address comes from the datagram), answered at once; a name still goes
 * to dns.lookup.
 */
function literalLookup(hostname: string, options: dns.LookupOneOptions | number, callback: LookupCallback): void {
  // The same peer datagram after datagram: net.isIP runs regular expressions (0.3% of a UAC's CPU at 3,000 calls/s);
  // comparing with the last literal seen is a pointer check for the run's remote, a short compare of characters for
  // a peer's address (a new string per call, from its first datagram).
  if (hostname === lastLiteral) {
    callback(null, hostname, lastFamily);
    return;
  }
  const family = isIP(hostname);
  if (family !== 0) {
    lastLiteral = hostname;
    lastFamily = family;
    callback(null, hostname, family);
    return;
  }
  dns.lookup(hostname, typeof options === 'number' ? { family: options } : options, callback);
}

function openSocket(
  address: string,
  port: number,
  bufferBytes: number,
  handler: TransportHandler,
  done: (err: Error | undefined, ep: UdpEndpoint) => void,
): void {
  const socket = dgram.createSocket({
    type: isIPv6(address) ? 'udp6' : 'udp4',
    recvBufferSize: bufferBytes,
    sendBufferSize: bufferBytes,
    lookup: literalLookup,
  });
  const ep = new UdpEndpoint(socket, handler);
  let bound = false;
  socket.on('error', (err) => {
    if (!bound) {
      socket.close();
      done(err, ep);
      return;
    }
    // Linux reports ICMP errors (ECONNREFUSED) only on connected sockets, which these are not: what comes
    // here is a send the system refused later (EMSGSIZE, ENOBUFS, no route).
    handler.onTransportError(transportErrorKind(err, 'send'), err);
  });
  socket.on('message', (buf, rinfo) => handler.onMessage(buf.toString('latin1'), rinfo.address, rinfo.port, ep));
  socket.bind(port, address, () => {
    bound = true;
    const a = socket.address();
    ep.localAddress = a.address;
    ep.localPort = a.port;
    done(undefined, ep);
  });
}

export class UdpTransport implements Transport {
  readonly name = 'UDP' as const;
  readonly reliable = false;
  private readonly free: UdpEndpoint[] = [];
  private readonly all: UdpEndpoint[] = [];
  /** Set when the system refused a socket (EMFILE, ENFILE): later calls share the main socket. */
  private atLimit = false;
  /** -t ui: the socket of each source address, or the calls waiting for it to bind. */
  private readonly byIp = new Map<string, UdpEndpoint | ((endpoint: Endpoint) => void)[]>();

  private constructor(
    readonly main: UdpEndpoint,
    private readonly perCall: boolean,
    private readonly bufferBytes: number,
    private readonly handler: TransportHandler,
  ) {
    this.all.push(main);
  }

  get localPort(): number {
    return this.main.localPort;
  }

  /** Binds the main socket. `ports` are tried in order (SIPp compat: without -p, 5060 and then any free port). */
  static open(
    address: string,
    ports: readonly number[],
    perCall: boolean,
    bufferBytes: number,
    handler: TransportHandler,
  ): Promise<UdpTransport> {
    return new Promise((resolve, reject) => {
      const attempt = (i: number): void => {
        const port = ports[i] ?? 0;
        openSocket(address, port, bufferBytes, handler, (err, ep) => {
          if (err === undefined) resolve(new UdpTransport(ep, perCall, bufferBytes, handler));
          else if (i + 1 < ports.length) attempt(i + 1);
          else reject(new BindError(address, port, err));
        });
      };
      attempt(0);
    });
  }

  acquire(ready: (endpoint: Endpoint) => void, fromIp?: string): void {
    if (fromIp !== undefined) {
      this.acquireIp(ready, fromIp);
      return;
    }
    if (!this.perCall) {
      ready(this.main);
      return;
    }
    const ep = this.free.pop();
    if (ep !== undefined) {
      ready(ep);
      return;
    }
    if (this.atLimit) {
      ready(this.main);
      return;
    }
    openSocket(this.main.localAddress, 0, this.bufferBytes, this.handler, (err, opened) => {
      if (err !== undefined) {
        // Out of file descriptors: the run goes on with the sockets it has, the main one for new calls,
        // rather than failing calls or retrying a bind for each.
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EMFILE' || code === 'ENFILE') {
          if (!this.atLimit) this.handler.onSocketLimit(this.all.length, err);
          this.atLimit = true;
        } else {
          this.handler.onTransportError('bind', err);
        }
        ready(this.main);
        return;
      }
      this.all.push(opened);
      ready(opened);
    });
  }

  /**
   * SIPp compat (-t ui): one socket per source address, bound on the main socket's port (any port when that
   * one is taken there); a call whose address cannot be bound fails its sends, counted.
   */
  private acquireIp(ready: (endpoint: Endpoint) => void, ip: string): void {
    const known = this.byIp.get(ip);
    if (known instanceof UdpEndpoint) {
      ready(known);
      return;
    }
    if (known !== undefined) {
      known.push(ready);
      return;
    }
    const waiting = [ready];
    this.byIp.set(ip, waiting);
    const done = (ep: Endpoint): void => {
      for (const r of waiting.splice(0)) r(ep);
    };
    const attempt = (port: number): void => {
      openSocket(ip, port, this.bufferBytes, this.handler, (err, opened) => {
        if (err === undefined) {
          this.all.push(opened);
          this.byIp.set(ip, opened);
          done(opened);
          return;
        }
        if (port !== 0) {
          attempt(0);
          return;
        }
        this.handler.onTransportError('bind', new Error(`-t ui: cannot bind ${ip}: ${err.message}`));
        this.byIp.delete(ip);
        done({ localAddress: ip, localPort: 0, openCalls: 0, send: () => false });
      });
    };
    attempt(this.main.localPort);
  }

  release(endpoint: Endpoint): void {
    if (this.perCall && endpoint !== this.main && endpoint instanceof UdpEndpoint) this.free.push(endpoint);
  }

  /** Closes every socket once the datagrams still queued in it are sent (a run often ends on a send). */
  close(): Promise<void> {
    return Promise.all(this.all.map((ep) => drainThenClose(ep.socket))).then(() => undefined);
  }
}

const DRAIN_LIMIT_MS = 500;

/**
 * A datagram to a host name waits for dns.lookup before it joins the send queue: wait a turn of the event
 * loop first, then until the queue is empty (bounded), then close.
 */
function drainThenClose(socket: dgram.Socket): Promise<void> {
  const until = Date.now() + DRAIN_LIMIT_MS;
  return new Promise((resolve) => {
    const attempt = (): void => {
      let queued: number;
      try {
        queued = socket.getSendQueueCount();
      } catch {
        queued = 0;
      }
      if (queued > 0 && Date.now() < until) {
        setImmediate(attempt);
        return;
      }
      try {
        socket.close(() => resolve());
      } catch {
        resolve();
      }
    };
    setTimeout(attempt, 1);
  });
}
