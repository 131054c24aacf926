/** The command line of segments (issue 20): --segment and its environment, --start-at, sipts merge -h, spawned. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN, loopbackUac, sipts, startSiptsUas } from '../helpers.js';

/** sipts with these environment variables added (JOB_COMPLETION_INDEX, SIPTS_SEGMENTS), and none of the runner's. */
function withEnv(args: readonly string[], env: Record<string, string>): { status: number | null; stderr: string } {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k !== 'JOB_COMPLETION_INDEX' && k !== 'SIPTS_SEGMENTS'),
  ) as Record<string, string>;
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...base, ...env }, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stderr: r.stderr };
}

test('--segment errors and the Indexed Job environment: exit 255, each saying what to write', async () => {
  const last = await sipts([...loopbackUac(5060), '--segment', '3/3', '-m', '3']).exited;
  assert.equal(last.code, 255);
  assert.equal(last.stderr, 'sipts: --segment 3/3: I counts from 0, as JOB_COMPLETION_INDEX does: write 2/3 for the last of 3 segments\n');
  const alone = withEnv([...loopbackUac(5060), '-m', '3'], { JOB_COMPLETION_INDEX: '1' });
  assert.equal(alone.status, 255);
  assert.match(alone.stderr, /^sipts: JOB_COMPLETION_INDEX=1 without SIPTS_SEGMENTS: set SIPTS_SEGMENTS to the number of segments/);
  const tooFew = withEnv([...loopbackUac(5060), '-m', '2'], { JOB_COMPLETION_INDEX: '2', SIPTS_SEGMENTS: '3' });
  assert.equal(tooFew.status, 255);
  assert.match(tooFew.stderr, /-m 2 over 3 segments: segment 2 would get none of it; split the run into at most 2 segments/);
  const when = await sipts([...loopbackUac(5060), '--start-at', 'noon']).exited;
  assert.equal(when.code, 255);
  assert.match(when.stderr, /-start-at noon: expected an ISO 8601 time, e\.g\. 2026-01-01T12:00:00Z, or epoch milliseconds/);
});

test('JOB_COMPLETION_INDEX with SIPTS_SEGMENTS runs that segment; a --start-at in the past starts at once with a warning', async (t) => {
  const uas = await startSiptsUas();
  t.after(() => uas.child.kill('SIGKILL'));
  const dir = mkdtempSync(join(tmpdir(), 'sipts-segments-e2e-'));
  const r = withEnv([...loopbackUac(uas.port), '-m', '10', '-r', '100', '--start-at', '1000', '-nostdin', '--json', join(dir, 'r.json')], {
    JOB_COMPLETION_INDEX: '1',
    SIPTS_SEGMENTS: '4',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /sipts: warning: --start-at 1970-01-01T00:00:01\.000Z is \d+\.\d s past: starting now/);
  assert.match(r.stderr, /segment 1 of 4/);
  const j = (await import(join(dir, 'r.json'), { with: { type: 'json' } })) as {
    default: { counters: { CallsCreated: number }; segment: { index: number; of: number } };
  };
  // -m 10 over 4: 3, 3, 2, 2.
  assert.equal(j.default.counters.CallsCreated, 3);
  assert.deepEqual([j.default.segment.index, j.default.segment.of], [1, 4]);
});

test('sipts merge -h prints its usage; no file is an error', async () => {
  const h = await sipts(['merge', '-h']).exited;
  assert.equal(h.code, 0);
  assert.match(h.stdout, /^Usage: sipts merge SEGMENT\.json\.\.\. \[-json FILE\]/);
  const none = await sipts(['merge']).exited;
  assert.equal(none.code, 255);
  assert.match(none.stderr, /no files: sipts merge SEGMENT\.json/);
});
