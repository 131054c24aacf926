import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CALL_ID_TYPES, callIdFormatter, callIdMaker, callIdsUnique, routingCallId } from '../../src/engine/call-id.js';
import { DynamicIdCounter } from '../../src/engine/dynamic-id.js';

test("-cid_str: %u %p %s %r %% as SIPp's call::add_call, any other %x a %", () => {
  assert.equal(callIdFormatter('%u-%p@%s', 42, '10.0.0.1')(7), '7-42@10.0.0.1');
  assert.equal(callIdFormatter('a%%b%qc%u%u', 1, 'h')(3), 'a%b%c33');
  assert.equal(callIdFormatter('fixed', 1, 'h')(9), 'fixed');
  // %r (SIPp after 3.7): a random number 0 to 2^31 - 1, anew for each call.
  const r = callIdFormatter('%u.%r@%s', 1, 'h');
  const ids = [r(4), r(4), r(4)];
  for (const id of ids) assert.match(id, /^4\.\d{1,10}@h$/);
  assert.ok(ids.every((id) => Number(/\.(\d+)@/.exec(id)?.[1]) < 2 ** 31));
  assert.ok(new Set(ids).size > 1, ids.join(' '));
});

test('-cid_type (SIPp after 3.7): the shape of each mode, its aliases, and -cid_str ignored but by default', () => {
  const make = (mode: string, n: number): string => {
    const t = CALL_ID_TYPES[mode];
    assert.ok(t !== undefined, mode);
    return callIdMaker(t, 'ignored-%u', 2718, '192.0.2.44')(n);
  };
  // RFC 4122 §4.4: version 4 in the high nibble of byte 6, variant 10 in the top bits of byte 8.
  for (const m of ['uuid'])
    assert.match(make(m, 15), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}@192\.0\.2\.44$/);
  for (const m of ['uuid-compact', 'uuidcompact', 'uuid32'])
    assert.match(make(m, 22), /^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}@192\.0\.2\.44$/);
  for (const m of ['random', 'random-hex']) assert.match(make(m, 31), /^31-[0-9a-f]{32}@192\.0\.2\.44$/);
  const before = Date.now() * 1000;
  for (const m of ['timestamp', 'time']) {
    const id = make(m, 52);
    assert.match(id, /^\d+-52-2718@192\.0\.2\.44$/);
    const us = Number(id.split('-')[0]);
    assert.ok(us >= before - 1_000_000 && us <= Date.now() * 1000 + 1_000_000, `${us} µs is now`);
  }
  for (const m of ['default', 'format', 'legacy']) assert.equal(make(m, 7), 'ignored-7');
  assert.notEqual(make('uuid', 1), make('uuid', 1), 'random each time');
});

test('callIdsUnique: a format with %u and no %r never names two calls alike; without %u it can', () => {
  for (const f of ['%u-%p@%s', 'a%%b%qc%u%u', '%u', 'x%u%%', '%u%u%u']) {
    assert.equal(callIdsUnique('format', f), true, f);
    const make = callIdFormatter(f, 1, 'h');
    const seen = new Set<string>();
    for (let n = 1; n <= 20_000; n++) seen.add(make(n));
    assert.equal(seen.size, 20_000, f);
  }
  for (const f of ['fixed', '%p@%s', '%%u', '%u%r', '%r-%s']) assert.equal(callIdsUnique('format', f), false, f);
  // %%u is a '%' and a 'u', not the call number: every call gets the same Call-ID.
  assert.equal(callIdFormatter('%%u@%s', 1, 'h')(1), callIdFormatter('%%u@%s', 1, 'h')(2));
  for (const type of ['uuid', 'uuid-compact', 'random', 'timestamp'] as const) assert.equal(callIdsUnique(type, 'fixed'), true, type);
});

test('/// in a Call-ID: the call is named by what follows the first ///', () => {
  assert.equal(routingCallId('pre///1-42@h'), '1-42@h');
  assert.equal(routingCallId('a///b///c'), 'b///c');
  assert.equal(routingCallId('1-42@h'), '1-42@h');
});

test('[dynamic_id]: from start by step; past max, start again (max itself is used)', () => {
  const d = new DynamicIdCounter(10, 18, 4);
  assert.deepEqual([d.next(), d.next(), d.next(), d.next()], [10, 14, 18, 10]);
});
