/**
 * Issue 16: -X_overwrite false appends (SIPp opens the file with "a"), -stat_delimiter separates the stat
 * and counts files' fields, -periodic_rtd makes the repartition columns count one period.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sipts, startSiptsUas, loopbackUac } from '../helpers.js';

const work = mkdtempSync(join(tmpdir(), 'sipts-trace-options-'));

test(
  '-shortmessage_overwrite false and -screen_overwrite 0 add to the files; by default they start afresh',
  { timeout: 60_000 },
  async (t) => {
    const uas = await startSiptsUas(['-cp', '0', '-nostdin']);
    t.after(() => uas.child.kill());
    const file = join(work, 'short.log');
    const screen = join(work, 'screen.log');
    const call = (extra: readonly string[]): Promise<unknown> =>
      sipts([
        ...loopbackUac(uas.port),
        '-cp',
        '0',
        '-nostdin',
        '-m',
        '1',
        '-trace_shortmsg',
        '-shortmessage_file',
        file,
        '-trace_screen',
        '-screen_file',
        screen,
        ...extra,
      ]).exited;
    const lines = (): number => readFileSync(file, 'latin1').trimEnd().split('\n').length;
    await call([]);
    const one = lines();
    assert.equal(one, 6, 'INVITE, 180, 200, ACK, BYE, 200');
    await call(['-shortmessage_overwrite', 'false', '-screen_overwrite', '0']);
    assert.equal(lines(), 2 * one);
    const screens = readFileSync(screen, 'utf8');
    await call(['-shortmessage_overwrite', 'true']);
    assert.equal(lines(), one);
    assert.ok(readFileSync(screen, 'utf8').length < screens.length, 'the screen file started afresh');
  },
);

test('-stat_delimiter and -periodic_rtd in the stat file', { timeout: 60_000 }, async (t) => {
  const uas = await startSiptsUas(['-cp', '0', '-nostdin']);
  t.after(() => uas.child.kill());
  const stat = (name: string, extra: readonly string[]): Promise<Record<string, string>[]> =>
    sipts([
      ...loopbackUac(uas.port),
      '-cp',
      '0',
      '-nostdin',
      '-m',
      '20',
      '-r',
      '10',
      '-fd',
      '1',
      '-trace_stat',
      '-stf',
      join(work, name),
      ...extra,
    ]).exited.then(() => {
      const [head = '', ...rows] = readFileSync(join(work, name), 'utf8').trimEnd().split('\n');
      const cols = head.split(',');
      return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [cols[i] ?? '', v])));
    });
  const [whole, periodic] = await Promise.all([
    stat('whole.csv', ['-stat_delimiter', ',']),
    stat('periodic.csv', ['-stat_delimiter', ',', '-periodic_rtd']),
  ]);
  assert.ok(whole.length >= 2 && periodic.length >= 2);
  const lengths = (row: Record<string, string>): number =>
    Object.entries(row)
      .filter(([k]) => k.startsWith('CallLengthRepartition_'))
      .reduce((n, [, v]) => n + Number(v), 0);
  // Every ended call has a length: the buckets add up to the calls ended in the run, or in the period.
  for (const r of whole) assert.equal(lengths(r), Number(r['SuccessfulCall(C)']) + Number(r['FailedCall(C)']), JSON.stringify(r));
  for (const r of periodic) assert.equal(lengths(r), Number(r['SuccessfulCall(P)']) + Number(r['FailedCall(P)']), JSON.stringify(r));
  assert.equal(
    periodic.reduce((n, r) => n + lengths(r), 0),
    20,
  );
});
