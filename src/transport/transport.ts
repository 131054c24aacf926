/**
 * What the engine needs from a transport. Sends take no callback and return no Promise: a failure is
 * reported through onSendError and counted.
 */
export interface Endpoint {
  readonly localAddress: string;
  readonly localPort: number;
  /** `raw` is a latin1 byte string. Returns false when the send failed synchronously. */
  send(raw: string, port: number, address: string): boolean;
}

export interface TransportHandler {
  onMessage(raw: string, address: string, port: number, endpoint: Endpoint): void;
  onSendError(error: Error): void;
  /** -t un could not open a socket for a call (file descriptors exhausted): said once per run. */
  onSocketLimit(sockets: number, error: Error): void;
}

/** RFC 3261 §17.1.1.2: retransmit only over unreliable transports. */
export interface Transport {
  readonly name: 'UDP' | 'TCP' | 'TLS' | 'WS' | 'WSS';
  readonly reliable: boolean;
  /** The endpoint calls use unless they get their own. */
  readonly main: Endpoint;
  /** An endpoint for one call (-t un); the main endpoint in single-socket modes. `ready` runs once it can send. */
  acquire(ready: (endpoint: Endpoint) => void): void;
  release(endpoint: Endpoint): void;
  close(): Promise<void>;
}
