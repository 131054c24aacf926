/**
 * The SharedArrayBuffer ring of a -workers answering run (src/workers/ring.ts), and the Call-ID routing of
 * the I/O thread (src/workers/call-id-route.ts), checked against hand-computed values.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { findCallId, workerFor } from '../../src/workers/call-id-route.js';
import { createRing, RingConsumer, RingProducer, type RingShared } from '../../src/workers/ring.js';

interface Rec {
  payload: string;
  address: string;
  port: number;
}

function drainAll(c: RingConsumer): Rec[] {
  const out: Rec[] = [];
  c.drain((bytes, start, end, address, port) => {
    out.push({ payload: bytes.toString('latin1', start, end), address, port });
  });
  return out;
}

test('createRing: the capacity is a power of two, at least what was asked', () => {
  assert.equal(createRing(1).capacity, 1024);
  assert.equal(createRing(1025).capacity, 2048);
  assert.equal(createRing(4096).capacity, 4096);
});

test('records of varied sizes come out whole, in order, with their address and port (latin1 bytes kept)', () => {
  const ring = createRing(4096);
  const p = new RingProducer(ring);
  const c = new RingConsumer(ring);
  const recs: Rec[] = [
    { payload: '', address: '127.0.0.1', port: 5060 },
    { payload: 'x', address: '::1', port: 1 },
    { payload: 'INVITE sip:a@b SIP/2.0\r\n\r\n', address: '10.0.0.255', port: 65535 },
    { payload: '\u00e9\u00ff\u0000abc', address: '127.0.0.1', port: 40000 },
  ];
  for (const r of recs) assert.equal(p.write(r.payload, r.address, r.port), true);
  // A Buffer payload too.
  assert.equal(p.write(Buffer.from('BYE', 'latin1'), '127.0.0.2', 7), true);
  assert.deepEqual(drainAll(c), [...recs, { payload: 'BYE', address: '127.0.0.2', port: 7 }]);
  assert.deepEqual(drainAll(c), []);
  assert.equal(p.written, 5);
  assert.equal(p.drops, 0);
});

test('wrap-around: records that do not fit before the end start again at 0, many times over, none lost', () => {
  const ring = createRing(1024);
  const p = new RingProducer(ring);
  const c = new RingConsumer(ring);
  let sent = 0;
  const got: string[] = [];
  // Sizes that do not divide the capacity, so records straddle the end in every way; more than 2^32 / capacity
  // rounds is out of reach, but the counts pass the capacity hundreds of times.
  for (let round = 0; round < 2000; round++) {
    const size = 1 + ((round * 37) % 300);
    const payload = String.fromCharCode(65 + (round % 26)).repeat(size);
    assert.equal(p.write(payload, '127.0.0.1', round % 65536), true, `round ${round}`);
    sent++;
    if (round % 2 === 1) for (const r of drainAll(c)) got.push(r.payload);
  }
  for (const r of drainAll(c)) got.push(r.payload);
  assert.equal(got.length, sent);
  got.forEach((g, round) => {
    assert.equal(g, String.fromCharCode(65 + (round % 26)).repeat(1 + ((round * 37) % 300)));
  });
});

test('a full ring: the producer refuses the record and counts a drop; once drained it takes records again', () => {
  const ring = createRing(1024);
  const p = new RingProducer(ring);
  const c = new RingConsumer(ring);
  // Each record: 8 bytes of header + 9 of address + 103 of payload = 120 bytes: 8 fit in 1024 (960), a 9th does not.
  const payload = 'p'.repeat(103);
  for (let i = 0; i < 8; i++) assert.equal(p.write(payload, '127.0.0.1', i), true);
  assert.equal(p.write(payload, '127.0.0.1', 8), false);
  assert.equal(p.write(payload, '127.0.0.1', 9), false);
  assert.equal(p.drops, 2);
  assert.equal(c.drops, 2, 'both ends see the count');
  assert.equal(drainAll(c).length, 8);
  assert.equal(p.write(payload, '127.0.0.1', 10), true);
  // A record larger than the whole ring can never fit.
  assert.equal(p.write('z'.repeat(2000), '127.0.0.1', 1), false);
  assert.equal(p.drops, 3);
});

test('two threads: a worker drains what the main thread writes, woken by Atomics (no message per record)', async () => {
  const ring = createRing(1 << 16);
  // Room for every echo: the reverse ring never fills, so every record must come back.
  const back = createRing(1 << 22);
  // The worker echoes each record's payload, address and port back through the reverse ring, then stops when
  // the inbound ring closes.
  const w = new Worker(new URL('./ring-echo-worker.js', import.meta.url), {
    workerData: { ring, back } satisfies Record<string, RingShared>,
  });
  const failed = new Promise<never>((_r, reject) => {
    w.on('error', reject);
  });
  const p = new RingProducer(ring);
  const N = 5000;
  const got: Rec[] = [];
  const finished = new Promise<void>((resolve) => {
    new RingConsumer(back).listen((bytes, start, end, address, port) => {
      got.push({ payload: bytes.toString('latin1', start, end), address, port });
    }, resolve);
  });
  let i = 0;
  let refused = 0;
  // Batches of varied sizes, each flushed once, written again while the ring is full.
  await new Promise<void>((resolve) => {
    const batch = (): void => {
      for (let k = 0; k < 1 + (i % 50) && i < N; k++, i++) {
        if (!p.write(`m${i}`.padEnd(10 + (i % 200), '.'), '127.0.0.1', i % 65536)) {
          refused++;
          break;
        }
      }
      p.flush();
      if (i < N) setImmediate(batch);
      else resolve();
    };
    batch();
  });
  p.close();
  await Promise.race([finished, failed]);
  await w.terminate();
  // The worker falls behind at times: each refused write is one drop counted, and was written again later.
  assert.equal(p.drops, refused);
  assert.equal(p.written, N);
  assert.equal(new RingConsumer(back).drops, 0);
  assert.equal(got.length, N);
  got.forEach((r, k) => {
    assert.equal(r.port, k % 65536);
    assert.equal(r.payload, `${`m${k}`.padEnd(10 + (k % 200), '.')}|127.0.0.1`);
  });
});

const msg = (headers: string): Buffer =>
  Buffer.from(`INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n${headers}\r\nContent-Length: 0\r\n\r\n`, 'latin1');
const idOf = (b: Buffer): string | undefined => {
  const r = findCallId(b);
  return r === undefined ? undefined : b.toString('latin1', r.start, r.end);
};

test('findCallId: the long and compact forms, any case, spaces around the colon; not Call-Info, not the body', () => {
  assert.equal(idOf(msg('Call-ID: abc@host')), 'abc@host');
  assert.equal(idOf(msg('call-id:abc@host  ')), 'abc@host');
  assert.equal(idOf(msg('CALL-ID \t:  x-1')), 'x-1');
  assert.equal(idOf(msg('i: compact-1')), 'compact-1');
  assert.equal(idOf(msg('Call-Info: <http://x>\r\nIn-Reply-To: y\r\ni:z')), 'z');
  assert.equal(idOf(msg('Subject: none')), undefined);
  assert.equal(idOf(Buffer.from('INVITE sip:a@b SIP/2.0\r\nTo: t\r\n\r\nCall-ID: in-body\r\n', 'latin1')), undefined);
  assert.equal(idOf(Buffer.from('SIP/2.0 200 OK\ni: lf-only\n\n', 'latin1')), 'lf-only');
});

test('workerFor: FNV-1a of the Call-ID (hand-computed), the same for every message of a call, 0 without a Call-ID', () => {
  // FNV-1a 32-bit of "a" is 0xe40c292c (the published test vector); mod 3 = 3826002220 mod 3 = 1.
  assert.equal(workerFor(msg('Call-ID: a'), 3), 0xe40c292c % 3);
  assert.equal(workerFor(msg('Call-ID: a'), 3), 1);
  assert.equal(workerFor(Buffer.from('SIP/2.0 180 Ringing\r\ni: a\r\n\r\n', 'latin1'), 3), 1);
  assert.equal(workerFor(msg('Subject: x'), 4), 0);
  assert.equal(workerFor(msg('Call-ID: anything'), 1), 0);
  // Spread: 1000 Call-IDs over 2 workers, each gets a fair share.
  const counts = [0, 0];
  for (let k = 0; k < 1000; k++) {
    const w = workerFor(msg(`Call-ID: ${k}-4242@127.0.0.1`), 2);
    counts[w] = (counts[w] ?? 0) + 1;
  }
  assert.ok((counts[0] ?? 0) > 400 && (counts[1] ?? 0) > 400, `spread ${counts.join('/')}`);
});
