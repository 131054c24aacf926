/**
 * Issue 5: the scenario loader under random and mutated XML. Whatever the file holds, loading it either
 * compiles or reports diagnostics that name a line and column: never another exception, never a hang.
 * The mutations start from every scenario we ship and the test fixtures, and cut, duplicate, swap and
 * overwrite characters, attributes, tags and lines; a sample also goes through the real command line.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { compileScenarioSource } from '../../src/scenario/compile.js';
import { DiagnosticsError } from '../../src/errors.js';
import { env, ROOT, sipts } from '../helpers.js';

const seeds = [
  ...readdirSync(join(ROOT, 'scenarios')).map((f) => join(ROOT, 'scenarios', f)),
  ...readdirSync(join(ROOT, 'test/fixtures'))
    .filter((f) => f.endsWith('.xml'))
    .map((f) => join(ROOT, 'test/fixtures', f)),
].map((path) => readFileSync(path, 'utf8'));

/** Pieces a mutation may insert: the syntax the loader has to get right. */
const PIECES = [
  '<',
  '>',
  '/>',
  '</',
  '"',
  "'",
  '=',
  '&',
  '&amp;',
  ']]>',
  '<![CDATA[',
  '<!--',
  '-->',
  '<recv response="200"/>',
  '<send>',
  '</send>',
  '<pause milliseconds="-1"/>',
  '<label id="x"/>',
  'next="x"',
  'optional="maybe"',
  'retrans="0"',
  '<action>',
  '<ereg regexp="(" search_in="msg" assign_to="1"/>',
  '[last_Via:]',
  '[$1]',
  '[field0]',
  '[len]',
  '\u0000',
  '\uFFFF',
  '\r',
  '\n',
  ' ',
  'timeout="1e99"',
  'rtd="true"',
  'crlf="true"',
  '<nop>',
  '<scenario>',
  // SIPp's dialect (issue 16): escapes in values, glued attributes, a tag with no '>', a second <action>.
  '\\"',
  '\\',
  '"crlf="true"',
  '<recv response="200"',
  '<action><log message="x"/></action>',
  "='x'",
];

const mutation = fc.oneof(
  fc.tuple(fc.constant('cut'), fc.nat(), fc.nat({ max: 200 })),
  fc.tuple(fc.constant('insert'), fc.nat(), fc.constantFrom(...PIECES)),
  fc.tuple(fc.constant('char'), fc.nat(), fc.integer({ min: 0, max: 0xffff })),
  fc.tuple(fc.constant('line'), fc.nat(), fc.nat()),
);
type Mutation = [string, number, number | string];

function mutate(source: string, edits: readonly Mutation[]): string {
  let s = source;
  for (const [kind, at, arg] of edits) {
    const i = s.length === 0 ? 0 : at % s.length;
    if (kind === 'cut') s = s.slice(0, i) + s.slice(i + Number(arg));
    else if (kind === 'insert') s = s.slice(0, i) + String(arg) + s.slice(i);
    else if (kind === 'char') s = s.slice(0, i) + String.fromCharCode(Number(arg)) + s.slice(i + 1);
    else {
      // Moves a line elsewhere: a closing tag before its opening one, an action out of its message.
      const lines = s.split('\n');
      const [line] = lines.splice(at % lines.length, 1);
      lines.splice(Number(arg) % (lines.length + 1), 0, line ?? '');
      s = lines.join('\n');
    }
  }
  return s;
}

const mutated = fc
  .tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 6 }))
  .map(([s, e]) => mutate(s, e as Mutation[]));

/** Compiles, or fails with diagnostics that each say where; anything else fails the test. */
function load(source: string): 'compiled' | 'rejected' {
  try {
    compileScenarioSource('fuzz.xml', source, env);
    return 'compiled';
  } catch (e) {
    if (!(e instanceof DiagnosticsError)) throw new Error(`not a diagnostic: ${String(e)}\n--- source:\n${source}`, { cause: e });
    assert.ok(e.diagnostics.length > 0);
    for (const d of e.diagnostics) {
      assert.equal(d.file, 'fuzz.xml');
      assert.ok(Number.isInteger(d.line) && d.line >= 1 && Number.isInteger(d.col) && d.col >= 1, JSON.stringify(d));
      assert.ok(d.message.length > 0);
    }
    return 'rejected';
  }
}

test('mutated scenarios: compiled, or rejected with file:line:col diagnostics; never another exception', () => {
  const seen = { compiled: 0, rejected: 0 };
  fc.assert(
    fc.property(mutated, (source) => {
      seen[load(source)]++;
    }),
    { numRuns: 3000, seed: 0xf022 },
  );
  // Both outcomes happen: the mutations are neither all harmless nor all fatal.
  assert.ok(seen.compiled > 100 && seen.rejected > 1000, JSON.stringify(seen));
});

test('random text and XML-looking noise: rejected with diagnostics, never another exception', () => {
  const noise = fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 12 })), { maxLength: 40 }).map((a) => a.join(''));
  fc.assert(
    fc.property(fc.oneof(noise, fc.string({ maxLength: 300 })), (source) => {
      load(source);
    }),
    { numRuns: 2000, seed: 0xf023 },
  );
});

test('mutated scenarios through the command line: exit 255 and file:line:col, no stack trace', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-fuzz-'));
  const samples = fc
    .sample(mutated, { numRuns: 200, seed: 0xf024 })
    .filter((s) => load(s) === 'rejected')
    .slice(0, 12);
  assert.equal(samples.length, 12);
  for (const [i, source] of samples.entries()) {
    const file = join(dir, `m${i}.xml`);
    writeFileSync(file, source);
    const r = await sipts(['-sf', file, '127.0.0.1:9', '-m', '1', '-cp', '0']).exited;
    assert.equal(r.code, 255, `${file}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: error: `));
    assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+\)?\n/, 'no stack trace');
  }
});
