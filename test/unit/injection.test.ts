import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFieldCount, fieldValue, lineCount, lineNumberOf, parseInjection } from '../../src/data/injection.js';
import type { Diagnostic } from '../../src/errors.js';

test('SEQUENTIAL file: comments and blank lines skipped, fields split on ;', () => {
  const d: Diagnostic[] = [];
  const f = parseInjection('u.csv', 'SEQUENTIAL\n# users\nalice;secret\n\nbob;hunter2;extra\n', d);
  assert.deepEqual(d, []);
  assert.ok(f);
  assert.equal(f.order, 'SEQUENTIAL');
  assert.equal(lineCount(f), 2);
  assert.equal(fieldValue(f, 1, 1), 'hunter2');
  assert.equal(fieldValue(f, 0, 5), '');
  assert.deepEqual([0, 1].map((i) => lineNumberOf(f, i)), [3, 5]);
});

test('PRINTF=N makes N lines numbered with %d, PRINTF_MULTIPLE and PRINTF_OFFSET', () => {
  const f = parseInjection('p.csv', 'RANDOM,PRINTF=1000,PRINTF_MULTIPLE=2,PRINTF_OFFSET=10\nuser%04d;pw%d\n', []);
  assert.ok(f);
  assert.equal(lineCount(f), 1000);
  assert.equal(fieldValue(f, 0, 0), 'user0010');
  assert.equal(fieldValue(f, 7, 0), 'user0024');
  assert.equal(fieldValue(f, 7, 1), 'pw24');
});

test('errors name file and line: empty file, bad first line, no data, too few fields', () => {
  const d: Diagnostic[] = [];
  assert.equal(parseInjection('e.csv', '', d), undefined);
  assert.equal(parseInjection('h.csv', 'alice;secret\n', d), undefined);
  assert.equal(parseInjection('n.csv', 'USER\n# nothing\n', d), undefined);
  const f = parseInjection('s.csv', 'SEQUENTIAL\nalice;secret\nbob\ncarol;x\n', d);
  assert.ok(f);
  checkFieldCount(f, 1, d);
  const expected = ['e.csv:1: the injection file is empty', 'h.csv:1: the first line is "alice;secret", expected', 'n.csv:1: the injection file has no data lines', 's.csv:3: this line has 1 field, but the scenario reads [field1]'];
  assert.equal(d.length, expected.length);
  d.forEach((x, i) => assert.ok(`${x.file}:${x.line}: ${x.message}`.startsWith(expected[i] ?? ''), `${x.file}:${x.line}: ${x.message}`));
});
