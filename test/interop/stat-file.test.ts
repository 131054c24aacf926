/** -trace_stat writes SIPp 3.6.1's stat file: same header, column for column, readable by column name. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { BIN, run, sipp, sippAvailable, startSippUas } from '../helpers.js';

const skip = sippAvailable() ? false : 'sipp is not installed (apt-get install sip-tester)';

/** What a user's script does with SIPp's stat file: rows as objects keyed by column name. */
function readStatFile(dir: string): Record<string, string>[] {
  const file = readdirSync(dir).find((f) => /^uac_\d+_\.csv$/.test(f));
  assert.ok(file, `no stat file in ${dir}: ${readdirSync(dir).join(', ')}`);
  return parse<Record<string, string>>(readFileSync(join(dir, file), 'latin1'), {
    delimiter: ';',
    columns: true,
    relax_column_count: true,
    quote: false,
  });
}

test(
  "the -trace_stat file has SIPp's header column for column, and reads by column name like SIPp's",
  { skip, timeout: 60_000 },
  async (t) => {
    const work = mkdtempSync(join(tmpdir(), 'sipts-stat-'));
    const scenario = join(work, 'uac.xml');
    writeFileSync(scenario, spawnSync('sipp', ['-sd', 'uac'], { encoding: 'utf8' }).stdout);
    const theirs = mkdtempSync(join(tmpdir(), 'sipp-stat-'));
    const mine = mkdtempSync(join(tmpdir(), 'sipts-stat-'));
    const { port, child } = await startSippUas(work);
    t.after(() => child.kill('SIGKILL'));
    const common = [
      '-sf',
      scenario,
      `127.0.0.1:${port}`,
      '-i',
      '127.0.0.1',
      '-r',
      '10',
      '-m',
      '15',
      '-trace_stat',
      '-fd',
      '1',
      '-trace_counts',
      '-trace_rtt',
      '-rtt_freq',
      '5',
    ];
    const a = await sipp(common, 30_000, theirs).exited;
    assert.equal(a.code, 0);
    const b = await run(process.execPath, [BIN, ...common, '-p', '0'], 30_000, mine).exited;
    assert.equal(b.code, 0, b.stderr);
    const sippRows = readStatFile(theirs);
    const ourRows = readStatFile(mine);
    assert.deepEqual(Object.keys(ourRows[0] ?? {}), Object.keys(sippRows[0] ?? {}), 'same columns in the same order');
    const last = ourRows[ourRows.length - 1] ?? {};
    assert.equal(last['TotalCallCreated'], '15');
    assert.equal(last['SuccessfulCall(C)'], '15');
    assert.equal(last['FailedCall(C)'], '0');
    assert.equal(last['OutgoingCall(C)'], '15');
    assert.match(last['ResponseTime1(C)'] ?? '', /^\d\d:\d\d:\d\d:\d{6}$/);
    const buckets = Object.keys(last)
      .filter((k) => k.startsWith('CallLengthRepartition_'))
      .reduce((n, k) => n + Number(last[k]), 0);
    assert.equal(buckets, 15, 'every call is in one call-length bucket');
    const periods = ourRows.map((r) => Number(r['SuccessfulCall(P)']));
    assert.equal(
      periods.reduce((x, y) => x + y, 0),
      15,
      'the (P) values add up to the (C) value',
    );
    // -trace_counts and -trace_rtt: the same file names and headers as SIPp's, for the same scenario.
    for (const suffix of ['counts.csv', 'rtt.csv']) {
      const header = (d: string): string => {
        const file = readdirSync(d).find((f) => new RegExp(`^uac_\\d+_${suffix.replace('.', '\\.')}$`).test(f));
        assert.ok(file, `no uac_<pid>_${suffix} in ${d}: ${readdirSync(d).join(', ')}`);
        return readFileSync(join(d, file), 'latin1').split('\n')[0] ?? '';
      };
      assert.equal(header(mine), header(theirs), `${suffix}: the same header`);
    }
  },
);
