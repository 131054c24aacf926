import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { asError, errnoCode, messageOf } from '../../src/thrown.js';

/** What readFileSync throws for a path that does not exist: the system's own error, not one made here. */
function missingFileError(): unknown {
  try {
    readFileSync('/nonexistent/sipts-thrown-test');
  } catch (e) {
    return e;
  }
  return undefined;
}

test('errnoCode reads the code of a system error and nothing else', () => {
  assert.equal(errnoCode(missingFileError()), 'ENOENT');
  assert.equal(errnoCode(new Error('plain')), undefined);
  assert.equal(errnoCode({ code: 42 }), undefined);
  assert.equal(errnoCode('ENOENT'), undefined);
  assert.equal(errnoCode(null), undefined);
});

test('asError and messageOf keep an Error and turn anything else into its text', () => {
  const e = new RangeError('out of range');
  assert.equal(asError(e), e);
  assert.equal(messageOf(e), 'out of range');
  const s = asError('a thrown string');
  assert.ok(s instanceof Error);
  assert.equal(s.message, 'a thrown string');
  assert.equal(messageOf(7), '7');
  assert.equal(messageOf(undefined), 'undefined');
});
