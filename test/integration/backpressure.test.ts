/**
 * Issue 17: a stream connection respects write()'s backpressure. Against a TCP peer that does not read, once
 * write() says false later messages wait in the connection's queue, bounded: the send past the bound fails
 * and is counted as congestion. When the peer reads again, 'drain' flushes the queue and every message
 * accepted arrives, whole and in order.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import type { TransportErrorKind } from '../../src/events/transport-error.js';
import { Connection, SipStreamCodec } from '../../src/transport/connection.js';
import type { TransportHandler } from '../../src/transport/transport.js';

const LIMIT = 64 * 1024;
const message = (i: number): string =>
  `MESSAGE sip:a@127.0.0.1 SIP/2.0\r\nCall-ID: bp-${i}\r\nCSeq: 1 MESSAGE\r\nContent-Length: 1000\r\n\r\n${'x'.repeat(1000)}`;

/** A connection to a TCP peer that reads nothing until its socket is resumed. */
async function stalledPeer(t: {
  after: (f: () => void) => void;
}): Promise<{ c: Connection; remote: net.Socket; client: net.Socket; errors: { kind: TransportErrorKind; error: Error }[] }> {
  const server = net.createServer();
  const accepted = new Promise<net.Socket>((resolve) =>
    server.once('connection', (s: net.Socket) => {
      s.pause();
      resolve(s);
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise<void>((r) => client.once('connect', () => r()));
  const remote = await accepted;
  t.after(() => {
    client.destroy();
    remote.destroy();
    server.close();
  });
  const errors: { kind: TransportErrorKind; error: Error }[] = [];
  const handler: TransportHandler = {
    onMessage: () => undefined,
    onSocketLimit: () => undefined,
    onConnectionLost: () => undefined,
    onTransportError: (kind, error) => {
      errors.push({ kind, error });
    },
  };
  return { c: new Connection(client, new SipStreamCodec(), 0, true, handler, () => undefined, LIMIT), remote, client, errors };
}

/** Sends numbered messages until write() says false; returns how many were sent. */
function fillSocket(c: Connection): number {
  let sent = 0;
  while (!c.congested) {
    assert.equal(c.send(message(sent)), true);
    sent++;
    assert.ok(sent < 100_000, 'write() never said false');
  }
  return sent;
}

/** Everything the peer receives once it reads, resolved when `bytes` have come. */
function readAll(remote: net.Socket, bytes: number): Promise<string> {
  let got = '';
  return new Promise((resolve) => {
    remote.on('data', (b: Buffer) => {
      got += b.toString('latin1');
      if (got.length >= bytes) resolve(got);
    });
    remote.resume();
  });
}

test('write() false: messages queue up to the bound, the next send fails as congested, and after drain all arrive in order', async (t) => {
  const { c, remote, client, errors } = await stalledPeer(t);
  // Until write() says false, the socket takes everything (the kernel's buffers fill first).
  let sent = fillSocket(c);
  assert.equal(client.writableNeedDrain, true, 'congested once the socket is over its high-water mark');
  assert.equal(c.queued, 0, 'the message write() said false to was taken by the socket');

  // From now on messages queue in the connection, up to LIMIT bytes.
  const size = Buffer.byteLength(message(sent));
  const fits = Math.floor(LIMIT / size);
  for (let i = 0; i < fits; i++) assert.equal(c.send(message(sent++)), true, `queued message ${i}`);
  assert.equal(c.queued, fits * size);
  assert.equal(errors.length, 0);
  // The bound: this one does not fit; it is refused, counted once, and the connection says it is congested.
  assert.equal(c.send(message(-1)), false);
  assert.deepEqual(
    errors.map((e) => e.kind),
    ['congested'],
  );
  assert.equal(c.congested, true);
  assert.equal(c.queued, fits * size, 'the refused message is not queued');

  // The peer reads: 'drain' comes, the queue is flushed, and every accepted message arrives in order.
  const expected = Array.from({ length: sent }, (_v, i) => message(i)).join('');
  const got = await readAll(remote, expected.length);
  assert.equal(got.length, expected.length, 'no more bytes than the accepted messages (the refused one is not sent)');
  assert.ok(got === expected, 'the bytes are the accepted messages, whole and in order');
  assert.equal(c.queued, 0);
  assert.equal(c.congested, false, 'drained: no longer congested');
  assert.equal(c.send(message(sent)), true, 'sends go through again');
});

test('close() with messages queued: the connection ends only after the peer has them all', async (t) => {
  const { c, remote } = await stalledPeer(t);
  let sent = fillSocket(c);
  for (let i = 0; i < 5; i++) c.send(message(sent++));
  assert.ok(c.queued > 0);
  c.close();
  const ended = new Promise<void>((r) => remote.once('end', () => r()));
  const expected = Array.from({ length: sent }, (_v, i) => message(i)).join('');
  const got = await readAll(remote, expected.length);
  await ended;
  assert.ok(got === expected, 'every queued message came before the end of the stream');
});
