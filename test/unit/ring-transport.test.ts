/**
 * A worker's transport in a -workers answering run (src/workers/ring-transport.ts): datagrams in through its
 * inbound ring, its sends out through the reverse ring with the peer's address, and the drops of either ring
 * counted as 'handoff' transport errors, so that they reach the run's figures.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TransportErrorKind } from '../../src/events/transport-error.js';
import type { Endpoint, TransportHandler } from '../../src/transport/transport.js';
import { createRing, RingConsumer, RingProducer } from '../../src/workers/ring.js';
import { RingTransport } from '../../src/workers/ring-transport.js';

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test(
  'RingTransport: a datagram in, the answer out on the reverse ring to the peer; full rings counted as handoff errors',
  { timeout: 20_000 },
  async () => {
    const rings = { inbound: createRing(1024), outbound: createRing(1024), localAddress: '127.0.0.1', localPort: 5999 };
    const errors: TransportErrorKind[] = [];
    const seen: { raw: string; address: string; port: number; local: number }[] = [];
    let endpoint: Endpoint | undefined;
    const handler: TransportHandler = {
      onMessage: (raw, address, port, ep) => {
        seen.push({ raw, address, port, local: ep.localPort });
        endpoint = ep;
      },
      onTransportError: (kind) => {
        errors.push(kind);
      },
      onSocketLimit: () => undefined,
      onConnectionLost: () => undefined,
    };
    const inbound = new RingProducer(rings.inbound);
    // 4 records of 8 + 9 + 230 bytes (248) fill 1024 bytes but for 32: a fifth is dropped, counted by the producer.
    for (let k = 0; k < 5; k++) inbound.write(`${k}`.padEnd(230, '-'), '127.0.0.1', 40000 + k);
    assert.equal(inbound.drops, 1);
    const transport = new RingTransport(rings, handler);
    inbound.flush();
    assert.equal(transport.localPort, 5999);
    await until('the 4 datagrams', () => seen.length === 4);
    assert.deepEqual(
      seen.map((s) => [s.raw.slice(0, 1), s.address, s.port, s.local]),
      [0, 1, 2, 3].map((k) => [`${k}`, '127.0.0.1', 40000 + k, 5999]),
    );
    // The drop the I/O thread counted reaches this worker's figures within its once-a-second look.
    await until('the handoff error', () => errors.length === 1, 3000);
    assert.deepEqual(errors, ['handoff']);
    // Sends go to the reverse ring with the destination; one the ring has no room for fails, counted.
    const out = new RingConsumer(rings.outbound);
    const ep = endpoint;
    assert.ok(ep !== undefined);
    assert.equal(ep.send('SIP/2.0 200 OK\r\n\r\n', 40001, '127.0.0.1'), true);
    const got: [string, string, number][] = [];
    out.drain((bytes, start, end, address, port) => {
      got.push([bytes.toString('latin1', start, end), address, port]);
    });
    assert.deepEqual(got, [['SIP/2.0 200 OK\r\n\r\n', '127.0.0.1', 40001]]);
    // The ring is empty again but its tail is 36 bytes on: 3 records of 248 fit before the end (at 36, 284, 532),
    // a 4th would end past 1024 and must wrap, which needs its 244 bytes to the end as well: no room.
    for (let k = 0; k < 3; k++) assert.equal(ep.send('x'.repeat(230), 40000, '127.0.0.1'), true);
    assert.equal(ep.send('x'.repeat(230), 40000, '127.0.0.1'), false);
    assert.deepEqual(errors, ['handoff', 'handoff']);
    await transport.close();
  },
);
