import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CircuitPool, circuitCount, circuitName, parseTdmMap } from '../../src/load/tdm.js';

test('-tdmmap: circuits of {0-3}{99}{5-8}{1-31}, named x.h.y/z as SIPp 3.6.1 names them (it rendered 0.99.8/11 for this map), z fastest; a pool lends and takes back', () => {
  const t = parseTdmMap('{0-3}{99}{5-8}{1-31}');
  assert.ok(t);
  assert.equal(circuitCount(t), 4 * 4 * 31);
  assert.equal(circuitName(t, 0), '0.99.5/1');
  assert.equal(circuitName(t, 1), '0.99.5/2');
  assert.equal(circuitName(t, 31), '0.99.6/1');
  assert.equal(circuitName(t, 4 * 31), '1.99.5/1');
  assert.equal(parseTdmMap('{3-0}{1}{1}{1}'), undefined);
  assert.equal(parseTdmMap('0-3,99'), undefined);
  const pool = new CircuitPool({ x: [0, 0], h: 1, y: [0, 0], z: [1, 2] });
  assert.equal(pool.take(), 0);
  assert.equal(pool.take(), 1);
  assert.equal(pool.take(), undefined, 'no circuit left: no call');
  pool.give(0);
  assert.equal(pool.take(), 0);
});
