import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileRegex, posixToJs } from '../../src/scenario/regex.js';

test('POSIX classes, literal backslash and leading ] in brackets', () => {
  assert.equal(posixToJs('o=([[:alnum:]]*) ([[:digit:]]+)'), 'o=([a-zA-Z0-9]*) ([0-9]+)');
  assert.equal(posixToJs('[]a]'), '[\\]a]');
  assert.equal(posixToJs('[^]x]'), '[^\\]x]');
  assert.equal(posixToJs('[a\\b]'), '[a\\\\b]');
  assert.equal(posixToJs('a\\.b[.]'), 'a\\.b[.]');
  const r = compileRegex('o=([[:alnum:]]*) ([[:alnum:]]*) ([[:alnum:]]*)', false);
  assert.ok(r.ok);
  assert.deepEqual(r.re.exec('v=0\r\no=user1 53655765 2353687637 IN')?.slice(1), ['user1', '53655765', '2353687637']);
});

test('dot matches a newline as in POSIX; case_indep; bad regexps are reported, not thrown', () => {
  const r = compileRegex('a.b', false);
  assert.ok(r.ok && r.re.test('a\nb'));
  const i = compileRegex('UA2', true);
  assert.ok(i.ok && i.re.test('sip:ua2@x'));
  const bad = compileRegex('(unclosed', false);
  assert.equal(bad.ok, false);
});
