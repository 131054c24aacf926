/**
 * What the engine needs from a transport. Sends take no callback and return no Promise: a failure is
 * reported through onTransportError, by kind, and counted.
 */
import type { TransportErrorKind } from '../events/transport-error.js';

export interface Endpoint {
  readonly localAddress: string;
  readonly localPort: number;
  /** Calls open on this endpoint, kept by the engine: a lost connection with none costs no search. */
  openCalls: number;
  /** True while what is written waits in a queue over its high-water mark (a send would block in SIPp). */
  readonly congested?: boolean;
  /** `raw` is a latin1 byte string. Returns false when the send failed synchronously. */
  send(raw: string, port: number, address: string): boolean;
}

export interface TransportHandler {
  onMessage(raw: string, address: string, port: number, endpoint: Endpoint): void;
  /** Trouble on the wire, counted by kind; the calls it fails are failed by the send's result or onConnectionLost. */
  onTransportError(kind: TransportErrorKind, error: Error): void;
  /** -t un could not open a socket for a call (file descriptors exhausted): said once per run. */
  onSocketLimit(sockets: number, error: Error): void;
  /** A connection could not be opened, or the peer closed it: the calls on it have failed. */
  onConnectionLost(endpoint: Endpoint, how: 'connect' | 'closed'): void;
}

/** RFC 3261 §17.1.1.2: retransmit only over unreliable transports. */
export interface Transport {
  readonly name: 'UDP' | 'TCP' | 'TLS' | 'WS' | 'WSS';
  readonly reliable: boolean;
  /** The port this side listens on and puts in messages. */
  readonly localPort: number;
  /**
   * An endpoint for a call placed: its own (-t un, tn), the one of its source address `fromIp` (-t ui), or
   * the shared one. `ready` runs once it can send.
   */
  acquire(ready: (endpoint: Endpoint) => void, fromIp?: string): void;
  /**
   * <closecon>: closes `endpoint` if it is a call's own connection (-t tn, ln, wsn) that no other call
   * uses, and says whether it did. Connections calls share stay open (SIPp only drops its reference).
   */
  closeOwn?(endpoint: Endpoint): boolean;
  /** A connection of a call's own to another destination (<setdest> over -t tn). */
  acquireTo?(address: string, port: number, ready: (endpoint: Endpoint) => void): void;
  /** The call that used `endpoint` has ended; the engine has already counted it out of openCalls. */
  release(endpoint: Endpoint): void;
  close(): Promise<void>;
}

export class BindError extends Error {
  constructor(
    readonly address: string,
    readonly port: number,
    cause: Error,
    transport = 'UDP',
  ) {
    super(`cannot bind ${transport} ${address.includes(':') ? `[${address}]` : address}:${port}: ${cause.message}`);
    this.name = 'BindError';
  }
}
