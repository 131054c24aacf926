/**
 * SIPp's 3PCC twin channel: TCP connections between cooperating instances that carry commands
 * (<sendCmd>/<recvCmd>), each command ended by one ESC byte (sip/twin-command.ts). Who listens and who
 * connects follows SIPp 3.6.1 (socket.cpp):
 * - classic 3PCC (-3pcc ip:port): the side whose first twin command is a <sendCmd> connects to the address,
 *   at start, so its twin must already run; the side whose first is a <recvCmd> listens there and takes
 *   the connection it accepts as its twin. Both send and receive over that one connection.
 * - extended 3PCC (-master/-slave with -slave_cfg): every instance listens on its own address from the file
 *   and receives there; it sends to each instance its <sendCmd dest> names over a connection of its own to
 *   that instance's address, opened at start by the master, and by a slave when the first instance connects
 *   to it (the master is started last).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { frameCommand, splitCommands } from './twin-framing.js';
import { ConnectError } from './stream.js';
import { BindError } from './transport.js';
import { messageOf } from '../thrown.js';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Where the twin sockets go. */
export type TwinPlan =
  | { readonly kind: 'connect'; readonly twin: HostPort }
  | { readonly kind: 'listen'; readonly twin: HostPort }
  | {
      readonly kind: 'extended';
      /** This instance's address, listened on. */
      readonly self: HostPort;
      /** The instances this one sends to (its <sendCmd dest> names), by name. */
      readonly peers: ReadonlyMap<string, HostPort>;
      /** The master connects to its peers at start; a slave once the first instance has connected to it. */
      readonly connectAtStart: boolean;
    };

/** What the engine needs from the twin channel. */
export interface CommandChannel {
  /** Sends one command's text; `peer` is a dest= name, '' for the one twin. False when there is nothing to send on. */
  send(peer: string, text: string): boolean;
  close(): Promise<void>;
}

export interface CommandHandler {
  /** One command as received, without its ESC. */
  onCommand(text: string): void;
  /** A twin is gone: it closed its connection (it has ended), or could not be reached; `what` says which, as a sentence. */
  onTwinLost(what: string): void;
}

/** A twin to connect to is not there (SIPp: start the listening twins first). */
export class TwinConnectError extends ConnectError {
  override readonly name = 'TwinConnectError';
}

const CLOSE_WAIT_MS = 500;

const hostPort = (a: HostPort): string => (a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`);

export class TwinChannel implements CommandChannel {
  private server: Server | undefined;
  /** classic: the one twin connection; none yet on the listening side before the twin connects. */
  private twin: Socket | undefined;
  /** extended: the connection to each peer this instance sends to. */
  private readonly peers = new Map<string, Socket>();
  private readonly sockets = new Set<Socket>();
  private closing = false;
  private peersOpened = false;

  private constructor(
    private readonly plan: TwinPlan,
    private readonly handler: CommandHandler,
  ) {}

  /** Listens and connects as the plan says; rejects with BindError or ConnectError. */
  static async open(plan: TwinPlan, handler: CommandHandler): Promise<TwinChannel> {
    const ch = new TwinChannel(plan, handler);
    try {
      switch (plan.kind) {
        case 'connect':
          ch.twin = await ch.dial(plan.twin, 'the 3PCC twin');
          break;
        case 'listen':
          await ch.listen(plan.twin);
          break;
        case 'extended':
          await ch.listen(plan.self);
          if (plan.connectAtStart) await ch.openPeers();
          break;
      }
    } catch (e) {
      await ch.close();
      throw e;
    }
    return ch;
  }

  send(peer: string, text: string): boolean {
    const socket = peer === '' ? this.twin : this.peers.get(peer);
    if (socket === undefined || socket.destroyed || !socket.writable) return false;
    socket.write(frameCommand(text), 'latin1');
    return true;
  }

  /**
   * Ends every connection so that what was written still reaches the twin, which sees this side end; a
   * twin that does not close its side within CLOSE_WAIT_MS is cut, so that the run ends in bounded time.
   */
  close(): Promise<void> {
    this.closing = true;
    const sockets = [...this.sockets];
    this.sockets.clear();
    for (const s of sockets) s.end();
    const cut = setTimeout(() => {
      for (const s of sockets) s.destroy();
    }, CLOSE_WAIT_MS);
    const waits = sockets.map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.closed) resolve();
          else s.once('close', () => resolve());
        }),
    );
    const server = this.server;
    if (server !== undefined) waits.push(new Promise((resolve) => server.close(() => resolve())));
    return Promise.all(waits).then(() => clearTimeout(cut));
  }

  private listen(at: HostPort): Promise<void> {
    const server = createServer((socket) => this.accepted(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', (e) => reject(new BindError(at.host, at.port, e, '3PCC twin TCP')));
      server.listen(at.port, at.host, () => resolve());
    });
  }

  private accepted(socket: Socket): void {
    if (this.plan.kind === 'listen') {
      // SIPp compat: the latest connection accepted is the twin.
      this.twin = socket;
      this.watch(socket, 'the 3PCC twin');
      return;
    }
    this.watch(socket, `a 3PCC instance (${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'})`);
    // A slave learns that the instances are up when the first one connects to it.
    if (!this.peersOpened) this.openPeers().catch((e: unknown) => this.handler.onTwinLost(messageOf(e)));
  }

  /** Connects to every peer; a peer's socket is in `peers` at once, so a send while it connects is buffered. */
  private openPeers(): Promise<void> {
    if (this.plan.kind !== 'extended' || this.peersOpened) return Promise.resolve();
    this.peersOpened = true;
    return Promise.all(
      [...this.plan.peers].map(([name, at]) => this.dial(at, `3PCC instance ${name}`, (s) => this.peers.set(name, s))),
    ).then(() => undefined);
  }

  private dial(at: HostPort, who: string, made: (s: Socket) => void = () => undefined): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: at.host, port: at.port });
      made(socket);
      const fail = (e: Error): void => reject(new TwinConnectError(at.host, at.port, `3PCC TCP (${who})`, e.message));
      socket.once('error', fail);
      socket.once('connect', () => {
        socket.off('error', fail);
        // Connected after this side began to close (another peer failed at start): not kept.
        if (this.closing) {
          socket.destroy();
          reject(new TwinConnectError(at.host, at.port, `3PCC TCP (${who})`, 'closing'));
          return;
        }
        this.watch(socket, `${who} at ${hostPort(at)}`);
        resolve(socket);
      });
    });
  }

  /** Reads commands off a connection, and reports its end unless this side is closing. */
  private watch(socket: Socket, who: string): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.setEncoding('latin1');
    let pending = '';
    socket.on('data', (chunk: string) => {
      const { commands, rest } = splitCommands(pending, chunk);
      pending = rest;
      for (const c of commands) this.handler.onCommand(c);
    });
    // A reset is an end like any other: the twin is gone.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.sockets.delete(socket);
      if (!this.closing) this.handler.onTwinLost(`${who} has closed its connection (it has ended)`);
    });
  }
}
