import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { junitSchemaErrors, ROOT, sipts, startSiptsUas, loopbackUac } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sipts-reports-'));
const busy = join(ROOT, 'test/fixtures/busy.xml');

async function runAgainstBusy(t: { after: (f: () => void) => void }, extra: string[]): Promise<{ code: number | null; stdout: string }> {
  const uas = await startSiptsUas(['-sf', busy, '-m', '5']);
  t.after(() => uas.child.kill('SIGKILL'));
  return sipts(['-sn', 'uac', `127.0.0.1:${uas.port}`, '-i', '127.0.0.1', '-p', '0', '-r', '50', '-m', '5', ...extra]).exited;
}

test('--json and --junit describe a failing run; JUnit names the step that failed', { timeout: 30_000 }, async (t) => {
  const json = join(dir, 'run.json');
  const junit = join(dir, 'run.xml');
  const r = await runAgainstBusy(t, ['--json', json, '--junit', junit]);
  assert.equal(r.code, 1);
  const j = JSON.parse(readFileSync(json, 'utf8')) as {
    counters: Record<string, number>;
    failures: Record<string, number>;
    unexpected: Record<string, number>;
    steps: { step: string; unexpected: number }[];
    exitCode: number;
    parameters: { rate: number };
  };
  assert.equal(j.counters['CallsCreated'], 5);
  assert.deepEqual(j.failures, { FailedUnexpectedMessage: 5 });
  assert.deepEqual(j.unexpected, { '486 (INVITE)': 5 });
  assert.equal(j.steps.find((s) => s.step === '<- 200')?.unexpected, 5);
  assert.equal(j.exitCode, 1);
  assert.equal(j.parameters.rate, 50);
  const xml = readFileSync(junit, 'utf8');
  assert.deepEqual(await junitSchemaErrors(xml), []);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as {
    testsuites: {
      testsuite: { name: string; tests: string; failures: string; testcase: { name: string; failure?: { message: string } }[] }[];
    };
  };
  const [steps, reasons] = doc.testsuites.testsuite;
  assert.ok(steps && reasons);
  const failing = steps.testcase.filter((c) => c.failure !== undefined);
  assert.equal(failing.length, 1);
  assert.match(failing[0]?.name ?? '', /^step 4 \(line \d+\): <- 200$/);
  assert.match(failing[0]?.failure?.message ?? '', /5 unexpected message\(s\) at step 4 <- 200 \(uac\.xml:\d+\)/);
  assert.equal(reasons.failures, '1');
  assert.equal(reasons.testcase.find((c) => c.failure !== undefined)?.name, 'FailedUnexpectedMessage');
});

test('thresholds decide the exit code: 2 when one is not met, 0 when all are', { timeout: 30_000 }, async (t) => {
  const strict = await runAgainstBusy(t, ['--max-failed', '0']);
  assert.equal(strict.code, 2);
  assert.match(strict.stdout, /threshold max-failed: 5 \(limit <= 0\) FAILED/);
  const lenient = await runAgainstBusy(t, ['--max-failed', '5', '--max-rtd-p99', '1s']);
  assert.equal(lenient.code, 0, lenient.stdout);
  const rate = await runAgainstBusy(t, ['--min-success-rate', '99.9']);
  assert.equal(rate.code, 2);
  assert.match(rate.stdout, /threshold min-success-rate: 0 % \(limit >= 99\.9 %\) FAILED/);
});

test(
  'a passing run: JUnit valid against the schema with no failure; --max-rtd-p99 below the measured p99 fails it (exit 2)',
  { timeout: 30_000 },
  async (t) => {
    const uas = await startSiptsUas(['-m', '10']);
    t.after(() => uas.child.kill('SIGKILL'));
    const pass = join(dir, 'pass.xml');
    const json = join(dir, 'pass.json');
    const r = await sipts([...loopbackUac(uas.port), '-r', '50', '-m', '5', '--junit', pass, '--json', json]).exited;
    assert.equal(r.code, 0, r.stderr);
    const xml = readFileSync(pass, 'utf8');
    assert.deepEqual(await junitSchemaErrors(xml), []);
    assert.doesNotMatch(xml, /<failure/);
    assert.match(xml, /<testsuite [^>]*failures="0"/);
    // The same calls judged by a p99 limit under what was measured: the threshold, and only it, fails.
    const p99 =
      (JSON.parse(readFileSync(json, 'utf8')) as { responseTimes: { name: string; p99Ms: number }[] }).responseTimes[0]?.p99Ms ?? 0;
    assert.ok(p99 > 0, 'response time 1 measured');
    const strict = join(dir, 'strict.xml');
    const s = await sipts([...loopbackUac(uas.port), '-r', '50', '-m', '5', '--junit', strict, '--max-rtd-p99', '0']).exited;
    assert.equal(s.code, 2, s.stdout);
    assert.match(s.stdout, /threshold max-rtd-p99[^\n]*FAILED/);
    const sx = readFileSync(strict, 'utf8');
    assert.deepEqual(await junitSchemaErrors(sx), []);
    assert.equal(sx.match(/<failure/g)?.length, 1, 'the threshold is the one failing test case');
  },
);
