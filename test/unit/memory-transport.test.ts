/** The in-memory network the virtual-time engine tests run over (src/transport/memory.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dropFirst, dropNth, MemoryNetwork } from '../../src/transport/memory.js';
import type { Endpoint, TransportHandler } from '../../src/transport/transport.js';

function sink(got: string[], reply?: (raw: string, ep: Endpoint, port: number) => void): TransportHandler {
  return {
    onMessage: (raw, _address, port, ep) => {
      got.push(raw);
      reply?.(raw, ep, port);
    },
    onTransportError: () => undefined,
    onSocketLimit: () => undefined,
    onConnectionLost: () => undefined,
  };
}

test('queued delivery: nothing arrives inside send(); flush() delivers, and what the handlers answer, in order', () => {
  const net = new MemoryNetwork();
  const a: string[] = [];
  const b: string[] = [];
  const ta = net.bind('127.0.0.1', 1, sink(a));
  net.bind(
    '127.0.0.1',
    2,
    sink(b, (raw, ep, port) => {
      if (raw === 'ping') ep.send('pong', port, '127.0.0.1');
    }),
  );
  ta.acquire((ep) => {
    ep.send('ping', 2, '127.0.0.1');
  });
  assert.deepEqual(b, []);
  assert.equal(net.flush(), 2);
  assert.deepEqual(b, ['ping']);
  assert.deepEqual(a, ['pong']);
  assert.deepEqual(
    net.sent.map((p) => [p.seq, p.fromPort, p.toPort]),
    [
      [1, 1, 2],
      [2, 2, 1],
    ],
  );
});

test('sync delivery hands the message over inside send()', () => {
  const net = new MemoryNetwork({ delivery: 'sync' });
  const b: string[] = [];
  const ta = net.bind('127.0.0.1', 1, sink([]));
  net.bind('127.0.0.1', 2, sink(b));
  ta.endpoint.send('now', 2, '127.0.0.1');
  assert.deepEqual(b, ['now']);
});

test('loss rules apply to unreliable senders only; dropNth counts the matching packets', () => {
  const net = new MemoryNetwork({ loss: dropNth(2, (p) => p.raw.startsWith('x')) });
  const got: string[] = [];
  const udp = net.bind('127.0.0.1', 1, sink([]));
  const tcp = net.bind('127.0.0.1', 3, sink([]), true);
  net.bind('127.0.0.1', 2, sink(got));
  for (const m of ['x1', 'y', 'x2', 'x3']) udp.endpoint.send(m, 2, '127.0.0.1');
  net.flush();
  assert.deepEqual(got, ['x1', 'y', 'x3']);
  assert.deepEqual(
    net.lost.map((p) => p.raw),
    ['x2'],
  );
  net.loss = dropFirst(5);
  tcp.endpoint.send('kept', 2, '127.0.0.1');
  net.flush();
  assert.deepEqual(got.at(-1), 'kept');
  assert.equal(tcp.name, 'TCP');
  assert.equal(udp.name, 'UDP');
});

test('latency: a packet is delivered once the clock reaches its send time + latency; nobody bound: undeliverable', async () => {
  let now = 100;
  const net = new MemoryNetwork({ clock: () => now, latencyMs: 5 });
  const got: string[] = [];
  const ta = net.bind('127.0.0.1', 1, sink([]));
  const tb = net.bind('127.0.0.1', 2, sink(got));
  ta.endpoint.send('late', 2, '127.0.0.1');
  assert.equal(net.nextDueMs(), 105);
  now = 104;
  assert.equal(net.flush(), 0);
  now = 105;
  assert.equal(net.flush(), 1);
  assert.deepEqual(got, ['late']);
  await tb.close();
  ta.endpoint.send('gone', 2, '127.0.0.1');
  now = 200;
  net.flush();
  assert.deepEqual(
    net.undeliverable.map((p) => p.raw),
    ['gone'],
  );
  assert.throws(() => net.bind('127.0.0.1', 1, sink([])), /already bound/);
});
