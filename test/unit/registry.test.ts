import assert from 'node:assert/strict';
import { test } from 'node:test';
import v8 from 'node:v8';
import { InjectionStore } from '../../src/data/injection.js';
import { CallState } from '../../src/engine/call.js';
import { IdSpace } from '../../src/engine/id-space.js';
import { CallRegistry, Tombstone } from '../../src/engine/registry.js';
import { exposedGc } from '../helpers.js';

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

/** Bytes the young collections in `profile` moved to the old generation (a full collection in it is left out). */
function promotedByYoungCollections(profile: v8.GCProfilerResult): number {
  const oldUsed = (spaces: v8.HeapSpaceStatistics[]): number => spaces.find((x) => x.spaceName === 'old_space')?.spaceUsedSize ?? 0;
  let bytes = 0;
  for (const gc of profile.statistics)
    if (gc.gcType === 'Scavenge' || gc.gcType === 'MinorMarkSweep')
      bytes += oldUsed(gc.afterGC.heapSpaceStatistics) - oldUsed(gc.beforeGC.heapSpaceStatistics);
  return bytes;
}

/**
 * 23,000 calls through a store of open calls, three open between calls (four while one is added), a young collection
 * every 500 calls after the first 3,000: the bytes young collections promoted over the last 20,000.
 */
function churn(store: { add(c: CallState): void; remove(c: CallState): void }, youngCollection: () => void): number {
  const open: CallState[] = [];
  let n = 0;
  const step = (): void => {
    const c = call(n, `${n}-1@127.0.0.1`);
    // What a call holds besides itself (its messages): a kilobyte of its own.
    c.lastSent = `${'x'.repeat(1024)}${n}`;
    store.add(c);
    open.push(c);
    n++;
    const done = open.length > 3 ? open.shift() : undefined;
    if (done !== undefined) store.remove(done);
  };
  for (let i = 0; i < 3000; i++) step();
  // Three young collections with no call between them: the store's current table lives through them and goes to the
  // old generation, as a table does in a run when it lives through two (or when a full collection comes).
  for (let i = 0; i < 3; i++) youngCollection();
  const profiler = new v8.GCProfiler();
  profiler.start();
  for (let i = 0; i < 20_000; i++) {
    step();
    if (i % 500 === 499) youngCollection();
  }
  youngCollection();
  youngCollection();
  return promotedByYoungCollections(profiler.stop());
}

test('ended calls are not promoted through the map tables V8 leaves behind (-deadcall_wait 0)', (t) => {
  const gc = exposedGc();
  const youngCollection = (): void => gc({ type: 'minor' });
  const r = new CallRegistry(0);
  const registry = churn({ add: (c) => r.add(c, true), remove: (c) => r.remove(c, 0) }, youngCollection);
  // The control: a plain Map of the open calls, deleted from as the registry does.
  const m = new Map<string, CallState>();
  const plain = churn({ add: (c) => m.set(c.callId, c), remove: (c) => m.delete(c.callId) }, youngCollection);
  const mb = (b: number): string => `${(b / 1048576).toFixed(1)} MB`;
  t.diagnostic(`promoted by young collections: the registry ${mb(registry)}, the plain Map ${mb(plain)}`);
  // A tripwire as much as a control: if a V8 to come makes replacement tables young, this fails and the registry's
  // refresh may go.
  assert.ok(plain > 4 * 1048576, `the control shows the promotion: ${mb(plain)} (if V8 no longer does it, the refresh may go)`);
  assert.ok(registry * 4 < plain, `the registry: ${mb(registry)} promoted (the plain Map: ${mb(plain)})`);
});
