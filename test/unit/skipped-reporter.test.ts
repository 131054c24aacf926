import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TestEvent } from 'node:test/reporters';
import skipped from '../skipped-reporter.js';

/** Events shaped as node:test emits them (only the fields the reporter reads are filled). */
function pass(name: string, skip?: string | boolean): TestEvent {
  return {
    type: 'test:pass',
    data: { name, file: '/t/x.test.js', nesting: 0, testNumber: 1, details: { duration_ms: 1 }, ...(skip === undefined ? {} : { skip }) },
  } as unknown as TestEvent;
}

async function run(events: TestEvent[], ci: string | undefined): Promise<{ out: string; exitCode: typeof process.exitCode }> {
  const saved = { ci: process.env['CI'], exitCode: process.exitCode };
  if (ci === undefined) delete process.env['CI'];
  else process.env['CI'] = ci;
  process.exitCode = undefined;
  let out = '';
  try {
    const source = (async function* (): AsyncGenerator<TestEvent> {
      await Promise.resolve();
      yield* events;
    })();
    for await (const chunk of skipped(source)) out += chunk;
    return { out, exitCode: process.exitCode };
  } finally {
    if (saved.ci === undefined) delete process.env['CI'];
    else process.env['CI'] = saved.ci;
    process.exitCode = saved.exitCode;
  }
}

test('skipped reporter: lists each skipped test with its reason, and nothing when none was skipped', async () => {
  const none = await run([pass('a'), pass('b')], undefined);
  assert.equal(none.out, '');
  const some = await run(
    [pass('a'), pass('needs sipp', 'sipp is not installed (apt-get install sip-tester)'), pass('bare', true)],
    undefined,
  );
  assert.match(some.out, /^\n2 test\(s\) skipped:\n/);
  assert.match(some.out, / {2}- \/t\/x\.test\.js: needs sipp: sipp is not installed \(apt-get install sip-tester\)\n/);
  assert.match(some.out, / {2}- \/t\/x\.test\.js: bare: no reason given\n/);
  assert.equal(some.exitCode, undefined, 'on a developer machine a skip is listed, not a failure');
});

test('skipped reporter: with CI set, a skipped test makes the run fail (exit code 1)', async () => {
  const r = await run([pass('needs kamailio', 'kamailio is not installed')], 'true');
  assert.equal(r.exitCode, 1);
  assert.match(r.out, /a skipped test is a failure/);
  assert.equal((await run([pass('a')], 'true')).exitCode, undefined);
  assert.equal((await run([pass('x', 'why')], 'false')).exitCode, undefined);
});
