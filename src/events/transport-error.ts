/**
 * What went wrong on the wire, by kind: each kind is counted apart, so a summary says "12 connects refused"
 * rather than "12 send errors". SIPp has no such counters (it prints each error); these are sipts's own.
 * The list is written once, here.
 */
export const TRANSPORT_ERROR_KINDS = [
  /** A datagram could not be sent: no route (EHOSTUNREACH, ENETUNREACH), ICMP refusal, too large (EMSGSIZE). */
  'send',
  /** The system had no buffer space for a send (ENOBUFS, EAGAIN). */
  'buffer',
  /** A socket could not be bound to its address (-t ui, -t un). */
  'bind',
  /** A connection could not be opened (ECONNREFUSED, ETIMEDOUT). */
  'connect',
  /** An open connection was reset or broken by the peer (ECONNRESET, EPIPE). */
  'closed',
  /** A TLS handshake failed, or the TLS layer failed later. */
  'tls',
  /** What arrived on a stream was not SIP or WebSocket framing (no end of headers, oversize Content-Length). */
  'framing',
  /** The system refused a new socket (EMFILE, ENFILE). */
  'limit',
  /** A stream's write queue was full: the message was dropped and its call failed (FailedOutboundCongestion). */
  'congested',
  /** -workers, answering: a datagram was dropped between the I/O thread and a worker, whose ring was full. */
  'handoff',
] as const;

export type TransportErrorKind = (typeof TRANSPORT_ERROR_KINDS)[number];

/** Index of a kind in TRANSPORT_ERROR_KINDS: stats count by index. */
export const TransportError = Object.freeze(Object.fromEntries(TRANSPORT_ERROR_KINDS.map((k, i) => [k, i]))) as {
  readonly [K in TransportErrorKind]: number;
};

/** What a person reads in the summary next to each kind. */
export const TRANSPORT_ERROR_HELP: Readonly<Record<TransportErrorKind, string>> = {
  send: 'a datagram could not be sent (no route, refused, too large)',
  buffer: 'no buffer space for a send (ENOBUFS/EAGAIN): the system is overloaded',
  bind: 'a socket could not be bound to its address',
  connect: 'a connection could not be opened',
  closed: 'a connection was reset or broken by the peer',
  tls: 'a TLS handshake or TLS session failed',
  framing: 'a peer sent bytes that are not SIP framing; its connection was closed',
  limit: 'the system refused a new socket (file descriptor limit)',
  congested: "a connection's write queue was full; the message was dropped",
  handoff: "a datagram was dropped between the socket's thread and a worker (-workers): its ring was full",
};

const BUFFER_CODES = new Set(['ENOBUFS', 'EAGAIN', 'EWOULDBLOCK', 'ENOMEM']);
const LIMIT_CODES = new Set(['EMFILE', 'ENFILE']);
const BIND_CODES = new Set(['EADDRINUSE', 'EADDRNOTAVAIL']);

/**
 * The kind of a socket error, from its code and what the socket was doing: a UDP `send`, a stream's
 * `connect`, its TLS `handshake`, or an `open` stream. OpenSSL's errors (ERR_SSL_*, EPROTO) are TLS
 * trouble whenever they come; a reset before a TLS session is up is its handshake failing.
 */
export function transportErrorKind(error: Error, doing: 'send' | 'connect' | 'handshake' | 'open'): TransportErrorKind {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (LIMIT_CODES.has(code)) return 'limit';
  if (BUFFER_CODES.has(code)) return 'buffer';
  if (code.startsWith('ERR_SSL') || code === 'EPROTO' || code.startsWith('ERR_TLS')) return 'tls';
  switch (doing) {
    case 'send':
      return BIND_CODES.has(code) ? 'bind' : 'send';
    case 'connect':
      return 'connect';
    case 'handshake':
      return 'tls';
    // A connection that breaks (ECONNRESET, EPIPE, ETIMEDOUT of keep-alives) is lost to the peer.
    case 'open':
      return 'closed';
  }
}
