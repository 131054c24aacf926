import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detach } from '../../src/sip/message.js';
import { exposedGc } from '../helpers.js';

// A full collection on demand, to see what the kept strings still hold.
const gc = exposedGc();

/** Heap in use after `keep` has kept one field of each of 200 messages of 256 KiB (50 MiB of messages in all). */
function heldBytes(keep: (field: string) => string): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept: string[] = [];
  for (let i = 0; i < 200; i++) {
    // Flat once the search below has read it, as a datagram's toString gives it; the field is a slice of it, as
    // the parser's fields are.
    const raw = `Call-ID: ${i}-4242@127.0.0.1;tag=abcdefghijklmnop\r\n${'x'.repeat(256 * 1024)}`;
    kept.push(keep(raw.slice(9, raw.indexOf('\r'))));
  }
  gc();
  const after = process.memoryUsage().heapUsed;
  assert.equal(kept.length, 200);
  return after - before;
}

test('a detached field keeps none of its message; a plain slice keeps all of it', () => {
  // The control shows the measure can fail: slices of V8 hold their parent string.
  assert.ok(heldBytes((f) => f) > 40 * 1024 * 1024, 'slices should hold their 50 MiB of messages');
  assert.ok(heldBytes(detach) < 4 * 1024 * 1024, 'detached fields should hold under 4 MiB');
});

/**
 * Heap bytes each of 100,000 kept 30-character fields costs, each from its own 200-byte message. So many calls run
 * `keep` in the optimizing compiler's code, where a read whose result looked unused could be dropped.
 */
function bytesPerField(keep: (field: string) => string): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept: string[] = [];
  const tail = ';branch=z9hG4bK'.padEnd(170, 'x');
  for (let i = 0; i < 100_000; i++) {
    const raw = `${String(i).padStart(8, '0')}-4242@127.0.0.1${tail}`;
    kept.push(keep(raw.slice(0, 30)));
  }
  gc();
  gc();
  assert.equal(kept.length, 100_000);
  return (process.memoryUsage().heapUsed - before) / 100_000;
}

test('a detached field costs about what a copy of it costs, less than a slice of a copy', () => {
  const copy = bytesPerField((f) => Buffer.from(f, 'latin1').toString('latin1'));
  const detached = bytesPerField(detach);
  // The control shows the measure can tell: a slice of a copy keeps a 32-byte slice over it.
  const sliceOfCopy = bytesPerField((f) => (f + ' ').slice(0, -1));
  assert.ok(sliceOfCopy >= copy + 24, `a slice of a copy ${sliceOfCopy.toFixed(1)} bytes a field against a copy's ${copy.toFixed(1)}`);
  // A copy of 30 one-byte characters is 48 bytes of string and 8 of the array's slot. The flattened concatenation is
  // 32 bytes over its string until a young collection replaces it by the string: Node 20 and 22 replaced all of them
  // here, Node 24 and 26 about two in three (11 bytes a field over a copy). One left unflattened would keep its message.
  assert.ok(detached < copy + 20, `detached ${detached.toFixed(1)} bytes a field against a copy's ${copy.toFixed(1)}`);
});

test('a detached field has the same text, short, long, concatenated, or of two-byte characters', () => {
  const raw = 'To: <sip:service@127.0.0.1:5060>;tag=28371SIPpTag011\r\n';
  const wide = `From: "Zoë 😀 Ω" <sip:z@example.com>;tag=${'é'.repeat(20)}`;
  for (const field of [
    raw.slice(0, 2),
    raw.slice(4, 32),
    raw.slice(4, 17),
    raw.slice(4, 18),
    `;tag=${raw.slice(38, 53)}`,
    '',
    'x'.repeat(12),
    'y'.repeat(13),
    wide.slice(7),
    wide.slice(12, 40),
  ])
    assert.equal(detach(field), field);
});
