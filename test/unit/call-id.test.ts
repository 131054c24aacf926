import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callIdFormatter, routingCallId } from '../../src/engine/call-id.js';
import { DynamicIdCounter } from '../../src/engine/dynamic-id.js';

test("-cid_str: %u %p %s %% as SIPp's call::add_call, any other %x a %", () => {
  assert.equal(callIdFormatter('%u-%p@%s', 42, '10.0.0.1')(7), '7-42@10.0.0.1');
  assert.equal(callIdFormatter('a%%b%qc%u%u', 1, 'h')(3), 'a%b%c33');
  assert.equal(callIdFormatter('fixed', 1, 'h')(9), 'fixed');
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
