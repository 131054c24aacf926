/**
 * Issue 17: transport errors arrive by kind, provoked for real on loopback: a closed TCP port (connect), a TLS
 * handshake against a plain TCP listener (tls), a reset connection (closed), an oversize Content-Length
 * (framing), an oversize datagram (send), a -t ui address this machine does not have (bind); and a UDP
 * datagram to a closed port, which Linux reports to no unconnected socket (nothing counted, as in SIPp).
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import type { TransportErrorKind } from '../../src/events/transport-error.js';
import { StreamTransport, type StreamOptions } from '../../src/transport/stream.js';
import type { Endpoint, TransportHandler } from '../../src/transport/transport.js';
import { UdpTransport } from '../../src/transport/udp-pool.js';
import { freeTcpPort } from '../helpers.js';

interface Seen {
  kind: TransportErrorKind;
  error: Error;
}

/** A handler that records what the transport says, and resolves waits on it. */
class Recorder implements TransportHandler {
  readonly errors: Seen[] = [];
  readonly lost: ('connect' | 'closed')[] = [];
  readonly messages: string[] = [];
  private waiters: (() => void)[] = [];

  onMessage(raw: string): void {
    this.messages.push(raw);
    this.wake();
  }
  onTransportError(kind: TransportErrorKind, error: Error): void {
    this.errors.push({ kind, error });
    this.wake();
  }
  onSocketLimit(): void {
    /* not provoked here */
  }
  onConnectionLost(_endpoint: Endpoint, how: 'connect' | 'closed'): void {
    this.lost.push(how);
    this.wake();
  }

  /** Resolves once `cond` holds; rejects after `ms`. */
  until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`timed out waiting for ${what}; errors: ${this.errors.map((e) => `${e.kind} ${e.error.message}`).join('; ')}`)),
        ms,
      );
      const check = (): void => {
        if (cond()) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

function streamOptions(over: Partial<StreamOptions>): StreamOptions {
  return {
    name: 'TCP',
    bindAddress: '127.0.0.1',
    ports: [0],
    perCall: true,
    remote: undefined,
    tls: undefined,
    maxReconnect: 0,
    reconnectClose: true,
    reconnectSleepMs: 0,
    maxSocket: 50_000,
    ...over,
  };
}

/** A plain TCP listener on 127.0.0.1 port 0; `onSocket` gets each connection. */
async function listener(t: { after: (f: () => void) => void }, onSocket: (s: net.Socket) => void): Promise<number> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
    onSocket(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  const a = server.address();
  assert.ok(typeof a === 'object' && a !== null);
  return a.port;
}

const acquire = (tr: StreamTransport): Promise<Endpoint> => new Promise((r) => tr.acquire(r));

const INVITE = 'INVITE sip:a@127.0.0.1 SIP/2.0\r\nCall-ID: te-1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n';

test('a TCP connection to a closed port is a connect error, and the calls on it are lost at connect', async (t) => {
  const port = await freeTcpPort(); // nothing listens there
  const h = new Recorder();
  const tr = await StreamTransport.open(streamOptions({ remote: { address: '127.0.0.1', port } }), h);
  t.after(() => tr.close());
  const ep = await acquire(tr);
  ep.openCalls = 1;
  assert.equal(ep.send(INVITE, 0, ''), true); // queued until the connection opens, which it will not
  await h.until(() => h.lost.length > 0, 'the connection lost');
  assert.deepEqual(
    h.errors.map((e) => e.kind),
    ['connect'],
  );
  assert.equal((h.errors[0]?.error as NodeJS.ErrnoException).code, 'ECONNREFUSED');
  assert.deepEqual(h.lost, ['connect']);
});

test('a TLS handshake against a plain TCP listener is a tls error, not a connect error', async (t) => {
  // One answer the ClientHello with SIP text (no TLS record: OpenSSL's "wrong version number"), the other
  // hangs up on it (a reset with no OpenSSL code: the handshake's only because TCP was up).
  const answers = await listener(t, (s) => s.once('data', () => s.end('SIP/2.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n')));
  const hangs = await listener(t, (s) => s.once('data', () => s.destroy()));
  for (const [port, code] of [
    [answers, 'ERR_SSL_WRONG_VERSION_NUMBER'],
    [hangs, 'ECONNRESET'],
  ] as const) {
    const h = new Recorder();
    const tr = await StreamTransport.open(
      streamOptions({
        name: 'TLS',
        remote: { address: '127.0.0.1', port },
        tls: { cert: undefined, key: undefined, ca: undefined, version: undefined },
      }),
      h,
    );
    t.after(() => tr.close());
    const ep = await acquire(tr);
    ep.openCalls = 1;
    ep.send(INVITE, 0, '');
    await h.until(() => h.lost.length > 0, 'the connection lost');
    assert.deepEqual(
      h.errors.map((e) => [e.kind, (e.error as NodeJS.ErrnoException).code]),
      [['tls', code]],
      h.errors.map((e) => e.error.message).join('; '),
    );
    // The TLS session never opened: its calls fail as a connection that could not be opened (FailedTcpConnect).
    assert.deepEqual(h.lost, ['connect']);
  }
});

test('a connection the peer resets is a closed error; one it closes cleanly is no error', async (t) => {
  let resets = true;
  const port = await listener(t, (s) =>
    s.once('data', () => {
      if (resets) s.resetAndDestroy();
      else s.end();
    }),
  );
  const h = new Recorder();
  const tr = await StreamTransport.open(streamOptions({ remote: { address: '127.0.0.1', port } }), h);
  t.after(() => tr.close());
  const ep = await acquire(tr);
  ep.openCalls = 1;
  ep.send(INVITE, 0, '');
  await h.until(() => h.lost.length === 1, 'the reset connection lost');
  assert.deepEqual(
    h.errors.map((e) => [e.kind, (e.error as NodeJS.ErrnoException).code]),
    [['closed', 'ECONNRESET']],
  );
  assert.deepEqual(h.lost, ['closed']);

  resets = false;
  const clean = await acquire(tr);
  clean.openCalls = 1;
  clean.send(INVITE, 0, '');
  await h.until(() => h.lost.length === 2, 'the cleanly closed connection lost');
  assert.equal(h.errors.length, 1, 'a FIN is no error');
  assert.deepEqual(h.lost, ['closed', 'closed']);
});

test("a Content-Length over the bound closes the peer's connection as a framing error; messages before it arrive", async (t) => {
  const h = new Recorder();
  const tr = await StreamTransport.open(streamOptions({}), h);
  t.after(() => tr.close());
  const peer = net.connect(tr.localPort, '127.0.0.1');
  peer.on('error', () => undefined);
  t.after(() => peer.destroy());
  const closed = new Promise<void>((r) => peer.once('close', () => r()));
  peer.write(`${INVITE}OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nCall-ID: te-2\r\nCSeq: 1 OPTIONS\r\nContent-Length: 999999999\r\n\r\nxyz`);
  await h.until(() => h.errors.length > 0, 'a framing error');
  assert.deepEqual(
    h.errors.map((e) => e.kind),
    ['framing'],
  );
  assert.match(h.errors[0]?.error.message ?? '', /Content-Length of 999999999 bytes/);
  assert.deepEqual(h.messages, [INVITE]);
  await closed; // sipts dropped the connection
});

test('UDP: an oversize datagram is a send error; a datagram to a closed port is none (unconnected socket, as SIPp)', async (t) => {
  const h = new Recorder();
  const tr = await UdpTransport.open('127.0.0.1', [0], false, 1 << 20, h);
  t.after(() => tr.close());
  const ep = await new Promise<Endpoint>((r) => tr.acquire(r));
  const closedPort = await freeTcpPort(); // a port number with nothing bound on UDP either, most likely
  assert.equal(ep.send(INVITE, closedPort, '127.0.0.1'), true);
  // A datagram to ourselves after it: once it is back, any ICMP answer to the first has been processed.
  assert.equal(ep.send(INVITE, tr.localPort, '127.0.0.1'), true);
  await h.until(() => h.messages.length === 1, 'our own datagram');
  assert.equal(h.errors.length, 0, h.errors.map((e) => e.error.message).join('; '));

  // 70,000 bytes is over UDP's 65,507-byte payload limit (RFC 768 length field, less IP and UDP headers).
  ep.send(`${INVITE}${'x'.repeat(70_000)}`, tr.localPort, '127.0.0.1');
  await h.until(() => h.errors.length > 0, 'a send error');
  assert.deepEqual(
    h.errors.map((e) => [e.kind, (e.error as NodeJS.ErrnoException).code]),
    [['send', 'EMSGSIZE']],
  );
});

test('UDP: a destination the system refuses is a send error within 16 sends, and every send after that one', async (t) => {
  const h = new Recorder();
  // A socket bound to ::1 cannot reach an IPv4-mapped address: each send fails at once (ENETUNREACH), nothing
  // leaves the machine.
  const tr = await UdpTransport.open('::1', [0], false, 1 << 20, h);
  t.after(() => tr.close());
  const ep = await new Promise<Endpoint>((r) => tr.acquire(r));
  // One send per event-loop turn, as a run spreads them: a failure is reported on the tick after its send.
  for (let i = 0; i < 40; i++) {
    ep.send(INVITE, 9, '::ffff:127.0.0.1');
    await new Promise((r) => setImmediate(r));
  }
  // Sends 1-15 do not ask for their outcome, the 16th does and fails; from then on each of the 24 others asks.
  await h.until(() => h.errors.length >= 25, '25 send errors');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(h.errors.length, 25);
  assert.deepEqual(
    new Set(h.errors.map((e) => `${e.kind} ${(e.error as NodeJS.ErrnoException).code ?? ''}`)),
    new Set(['send ENETUNREACH']),
  );
});

test('-t ui: a source address this machine does not have is a bind error, and the call gets an endpoint that fails its sends', async (t) => {
  const h = new Recorder();
  const tr = await UdpTransport.open('127.0.0.1', [0], false, 1 << 20, h);
  t.after(() => tr.close());
  // 192.0.2.1 (TEST-NET-1, RFC 5737) is on no interface here: binding fails, nothing is sent.
  const ep = await new Promise<Endpoint>((r) => tr.acquire(r, '192.0.2.1'));
  assert.deepEqual(
    h.errors.map((e) => e.kind),
    ['bind'],
  );
  assert.match(h.errors[0]?.error.message ?? '', /cannot bind 192\.0\.2\.1/);
  assert.equal(ep.send(INVITE, tr.localPort, '127.0.0.1'), false);
});
