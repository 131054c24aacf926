import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InjectionStore } from '../../src/data/injection.js';
import { CallState } from '../../src/engine/call.js';
import { IdSpace } from '../../src/engine/id-space.js';
import { CallRegistry, Tombstone } from '../../src/engine/registry.js';

const ids = new IdSpace({ pid: 1, callIdHost: '127.0.0.1' });
const injection = new InjectionStore([]);

function call(number: number, callId: string): CallState {
  return new CallState({
    number,
    callId,
    endpoint: { localAddress: '127.0.0.1', localPort: 5060, openCalls: 0, send: () => true },
    remoteAddress: '127.0.0.1',
    remotePort: 5070,
    startMs: 0,
    baseCseq: 1,
    ids,
    rtdCount: 0,
    varCount: 0,
    globals: [],
    injection,
    injectionLines: [],
    userId: 0,
    runClock: () => 0,
    circuit: -1,
    circuitName: '',
  });
}

test('an ended call leaves a tombstone for -deadcall_wait, then nothing', () => {
  const r = new CallRegistry(1000);
  const a = call(1, 'a@host');
  r.add(a, true);
  assert.equal(r.entry('a@host'), a);
  assert.equal(r.get('a@host'), a);
  assert.equal(r.isDead('a@host'), false);
  assert.deepEqual([r.open, r.dead], [1, 0]);
  r.remove(a, 5000);
  assert.ok(r.entry('a@host') instanceof Tombstone);
  assert.equal(r.get('a@host'), undefined);
  assert.equal(r.isDead('a@host'), true);
  assert.deepEqual([r.open, r.dead], [0, 1]);
  r.expire(5999);
  assert.equal(r.isDead('a@host'), true);
  r.expire(6000);
  assert.equal(r.entry('a@host'), undefined);
  assert.deepEqual([r.open, r.dead], [0, 0]);
  assert.equal(r.entry('never@host'), undefined);
});

test('a new call under the Call-ID of an ended one is what its messages reach', () => {
  const r = new CallRegistry(1000);
  const first = call(1, 'same');
  r.add(first, true);
  r.remove(first, 0);
  const second = call(2, 'same');
  r.add(second, false);
  assert.equal(r.entry('same'), second);
  assert.equal(r.isDead('same'), false);
  assert.equal(r.open, 1);
  // The first call's tombstone expiring does not drop the open call.
  r.expire(1000);
  assert.equal(r.entry('same'), second);
  r.remove(second, 1500);
  assert.ok(r.entry('same') instanceof Tombstone);
  // Only the second call's tombstone is left, and it lasts its own -deadcall_wait.
  r.expire(2499);
  assert.deepEqual([r.open, r.dead], [0, 1]);
  r.expire(2500);
  assert.deepEqual([r.open, r.dead], [0, 0]);
});

/** A registry (-deadcall_wait 1 s) with two open calls added under one Call-ID, the second without looking first. */
function twoUnderOneId(callId: string): { r: CallRegistry; first: CallState; second: CallState } {
  const r = new CallRegistry(1000);
  const first = call(1, callId);
  const second = call(2, callId);
  r.add(first, true);
  r.add(second, false);
  return { r, first, second };
}

test('two open calls under one Call-ID: the later one holds it, the earlier one ending leaves no tombstone', () => {
  const { r, first, second } = twoUnderOneId('fixed');
  assert.equal(r.open, 1);
  assert.equal(r.entry('fixed'), second);
  r.remove(first, 0);
  assert.equal(r.entry('fixed'), second);
  assert.deepEqual([r.open, r.dead], [1, 0]);
  assert.deepEqual(r.openCalls(), [second]);
});

test('-deadcall_wait 0 keeps no tombstone', () => {
  const r = new CallRegistry(0);
  const a = call(1, 'a');
  r.add(a, true);
  r.remove(a, 0);
  assert.equal(r.entry('a'), undefined);
  assert.deepEqual([r.open, r.dead], [0, 0]);
});

test('the earlier of two calls under one Call-ID ending after the later: its tombstone stays its full wait', () => {
  const { r, first, second } = twoUnderOneId('twice');
  r.remove(second, 0);
  r.remove(first, 500);
  assert.deepEqual([r.open, r.dead], [0, 1]);
  // The second call's tombstone (due at 1000) was replaced by the first's (due at 1500): expiring it drops nothing.
  r.expire(1000);
  assert.ok(r.entry('twice') instanceof Tombstone);
  assert.deepEqual([r.open, r.dead], [0, 1]);
  r.expire(1500);
  assert.equal(r.entry('twice'), undefined);
  assert.deepEqual([r.open, r.dead], [0, 0]);
});
