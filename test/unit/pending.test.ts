/**
 * A call's pending requests (the methods whose final response it still waits for, RFC 3261 §17.1): adding and
 * removing copy, so a list one call shares with another (the empty one every call starts with) never changes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withMethod, withoutMethod } from '../../src/engine/call.js';

test('withMethod adds a method once and leaves the list it was given as it was', () => {
  const empty: readonly string[] = [];
  const one = withMethod(empty, 'INVITE');
  assert.deepEqual(empty, []);
  assert.deepEqual(one, ['INVITE']);
  assert.equal(withMethod(one, 'INVITE'), one);
  const two = withMethod(one, 'BYE');
  assert.deepEqual(one, ['INVITE']);
  assert.deepEqual(two, ['INVITE', 'BYE']);
});

test('withoutMethod removes a method and leaves the list it was given as it was', () => {
  const two = ['INVITE', 'BYE'];
  assert.deepEqual(withoutMethod(two, 'INVITE'), ['BYE']);
  assert.deepEqual(two, ['INVITE', 'BYE']);
  assert.equal(withoutMethod(two, 'CANCEL'), two);
  assert.deepEqual(withoutMethod(['BYE'], 'BYE'), []);
});
