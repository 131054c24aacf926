import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { checkFieldCount, fieldValue, InjectionStore, lineCount, lineNumberOf, parseInjection } from '../../src/data/injection.js';
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
  assert.deepEqual(
    [0, 1].map((i) => lineNumberOf(f, i)),
    [3, 5],
  );
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
  const expected = [
    'e.csv:1: the injection file is empty',
    'h.csv:1: the first line is "alice;secret", expected',
    'n.csv:1: the injection file has no data lines',
    's.csv:3: this line has 1 field, but the scenario reads [field1]',
  ];
  assert.equal(d.length, expected.length);
  d.forEach((x, i) => assert.ok(`${x.file}:${x.line}: ${x.message}`.startsWith(expected[i] ?? ''), `${x.file}:${x.line}: ${x.message}`));
});

test('fields at line and field boundaries: empty fields, trailing ;, CRLF, comment and empty lines between, no last newline', () => {
  const d: Diagnostic[] = [];
  const f = parseInjection('b.csv', 'SEQUENTIAL\r\n;b;\r\n# c;d\r\n\r\na;;c\r\np#w;jörg;pässword\nlast;x', d);
  assert.deepEqual(d, []);
  assert.ok(f);
  assert.equal(lineCount(f), 4);
  // Hand-split: ";b;" is three fields '', 'b', ''; the CR of a CRLF belongs to no field.
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => fieldValue(f, 0, i)),
    ['', 'b', '', ''],
  );
  assert.deepEqual(
    [0, 1, 2].map((i) => fieldValue(f, 1, i)),
    ['a', '', 'c'],
  );
  // SIPp compat: '#' starts a comment only as a line's first character (SIPp's FileContents), so it may be in a field.
  assert.deepEqual(
    [0, 1, 2].map((i) => fieldValue(f, 2, i)),
    ['p#w', 'jörg', 'pässword'],
  );
  assert.deepEqual(
    [0, 1, 2].map((i) => fieldValue(f, 3, i)),
    ['last', 'x', ''],
  );
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => lineNumberOf(f, i)),
    [2, 5, 6, 7],
  );
  // SEQUENTIAL past the last line starts over.
  assert.equal(fieldValue(f, 5, 0), 'a');
});

test('errors name the right file line after comments and empty lines, also before the first line', () => {
  const d: Diagnostic[] = [];
  const f = parseInjection('c.csv', '# users\n\nSEQUENTIAL\n# c\n\na;b\n\n# d\nc\ne;f\r\ng\r\n', d);
  assert.ok(f);
  assert.equal(lineCount(f), 4);
  checkFieldCount(f, 1, d);
  assert.deepEqual(
    d.map((x) => `${x.file}:${x.line}: ${x.message}`),
    ['c.csv:9: this line has 1 field, but the scenario reads [field1]', 'c.csv:11: this line has 1 field, but the scenario reads [field1]'],
  );
  const e: Diagnostic[] = [];
  assert.equal(parseInjection('h.csv', '# header below\n\nFOO;bar\nx\n', e), undefined);
  assert.equal(parseInjection('n.csv', '\r\n# only\r\nRANDOM\r\n# none\r\n\r\n', e), undefined);
  assert.deepEqual(
    e.map((x) => `${x.file}:${x.line}: ${x.message}`),
    ['h.csv:3: the first line is "FOO;bar", expected SEQUENTIAL, RANDOM or USER', 'n.csv:3: the injection file has no data lines'],
  );
});

test('PRINTF over a CRLF file: the line is used as N virtual lines, fields without the CR', () => {
  const f = parseInjection('p.csv', 'SEQUENTIAL,PRINTF=3,PRINTF_OFFSET=5\r\nu%03d;pw%d\r\n', []);
  assert.ok(f);
  assert.equal(lineCount(f), 3);
  assert.deepEqual(
    [0, 1, 2].map((i) => `${fieldValue(f, i, 0)}/${fieldValue(f, i, 1)}`),
    ['u005/pw5', 'u006/pw6', 'u007/pw7'],
  );
});

test('store: -infindex, <insert> and <replace> over the file as read; the last line with a key wins, as in SIPp', () => {
  const f = parseInjection('s.csv', 'SEQUENTIAL\nalice;1\nbob;2\nalice;3\nshort\n', []);
  assert.ok(f);
  const store = new InjectionStore(
    [f],
    [
      { file: 0, field: 0 },
      { file: 0, field: 1 },
    ],
  );
  assert.equal(store.indexedField(0), 0);
  assert.equal(store.lookup(0, 0, 'alice'), 2);
  assert.equal(store.lookup(0, 1, '2'), 1);
  // "short" has no field 1: not in that index, and [field1] of it is ''.
  assert.equal(store.lookup(0, 1, ''), -1);
  assert.equal(store.field(0, 3, 1), '');
  assert.equal(store.field(0, 0, 0), 'alice');
  store.replace(0, 0, 'carol;9');
  assert.equal(store.field(0, 0, 0), 'carol', 'the field read before the <replace> is not served again');
  assert.equal(store.field(0, 0, 1), '9');
  assert.equal(store.lookup(0, 0, 'carol'), 0);
  assert.equal(store.lookup(0, 0, 'alice'), 2, 'alice was indexed at line 2, which stays');
  store.replace(0, 2, 'dave;4');
  assert.equal(store.lookup(0, 0, 'alice'), -1);
  store.insert(0, 'erin;5');
  assert.equal(store.lineCount(0), 5);
  assert.equal(store.lookup(0, 0, 'erin'), 4);
  assert.equal(store.field(0, 4, 1), '5');
  store.replace(0, 4, 'fred;6');
  assert.equal(store.lookup(0, 0, 'erin'), -1);
  assert.equal(store.lookup(0, 0, 'fred'), 4);
  assert.equal(store.field(0, 5, 0), 'carol', 'past the last line (inserted ones counted) it starts over');
  store.replace(0, 9, 'nobody');
  assert.equal(store.lineCount(0), 5);
});

test('a 200,000-line file loads in less than 3x its size of memory (a string array per line took ~3.9 KB a line)', () => {
  // In a child Node with --expose-gc, so that a full collection before each reading leaves only what is held.
  const module = new URL('../../src/data/injection.js', import.meta.url).href;
  const code = `
    const { parseInjection, fieldValue } = await import(${JSON.stringify(module)});
    let text = 'SEQUENTIAL\\n';
    for (let i = 1; i <= 200000; i++) { const n = String(i).padStart(7, '0'); text += 'user' + n + ';[authentication username=user' + n + ' password=pw' + n + '];\\n'; }
    const bytes = Buffer.from(text);
    text = '';
    const used = () => { globalThis.gc(); const m = process.memoryUsage(); return m.heapUsed + m.external; };
    const before = used();
    const f = parseInjection('big.csv', bytes, []);
    const after = used();
    process.stdout.write(JSON.stringify({ grew: after - before, bytes: bytes.length, n: f.lines.count, last: fieldValue(f, 199999, 0) }));
  `;
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', code], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout) as { grew: number; bytes: number; n: number; last: string };
  assert.equal(m.n, 200_000);
  assert.equal(m.last, 'user0200000');
  // The bytes are already held before parsing; what parsing adds is the index (12 bytes a line). The bound
  // leaves room for that many times over, and is 40 times below what the old store took (~780 MB here).
  assert.ok(m.grew < 3 * m.bytes, `grew ${m.grew} bytes for a file of ${m.bytes}`);
});

test('-infindex over many lines: every key finds the last line holding it; UTF-8, empty and prefix keys; absent ones -1', () => {
  // Lines i and i + 5000 share key k<i>: the index must give i + 5000 (SIPp: the last line wins).
  let text = 'SEQUENTIAL\n';
  for (let i = 0; i < 10_000; i++) text += `k${i % 5000};${i}\n`;
  text += 'jörg;x\n;empty\nk1x;p\n';
  const f = parseInjection('k.csv', text, []);
  assert.ok(f);
  const store = new InjectionStore([f], [{ file: 0, field: 0 }]);
  for (let i = 0; i < 5000; i++) assert.equal(store.lookup(0, 0, `k${i}`), i + 5000, `k${i}`);
  assert.equal(store.lookup(0, 0, 'jörg'), 10_000);
  assert.equal(store.lookup(0, 0, ''), 10_001);
  assert.equal(store.lookup(0, 0, 'k1x'), 10_002);
  assert.equal(store.lookup(0, 0, 'k1'), 5001);
  for (const absent of ['k5000', 'k', 'jorg', 'k1x;p', 'K1']) assert.equal(store.lookup(0, 0, absent), -1, absent);
});

test('too few fields on many lines: the first 50 named, the rest counted in one more diagnostic at the last of them', () => {
  let text = 'SEQUENTIAL\n';
  for (let i = 0; i < 1000; i++) text += i % 2 === 0 ? `u${i};pw\n` : `u${i}\n`;
  const f = parseInjection('m.csv', text, []);
  assert.ok(f);
  const d: Diagnostic[] = [];
  checkFieldCount(f, 1, d);
  // Odd i are short; data line i is file line i + 2, so the short ones are lines 3, 5, … 1001.
  assert.equal(d.length, 51);
  assert.deepEqual(
    d.slice(0, 3).map((x) => x.line),
    [3, 5, 7],
  );
  assert.equal(d[49]?.line, 101);
  assert.equal(d[50]?.line, 1001);
  assert.match(d[50]?.message ?? '', /^and 450 more lines with fewer than 2 fields/);
});
