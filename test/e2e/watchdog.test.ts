/**
 * Issue 16, SIPp's watchdog: an action that holds the event loop (a regular expression that backtracks for
 * about a second) makes the watchdog run late. Counted in the stat file; past -watchdog_major_maxtriggers the
 * run ends as SIPp's does, a fatal error (exit 255) with SIPp's message.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { lastCsvRow, sipts, type Exited } from '../helpers.js';

const work = mkdtempSync(join(tmpdir(), 'sipts-watchdog-'));
/** A call that stalls the event loop (a regular expression that backtracks for about a second), then pauses. */
function stallScenario(name: string, pauseMs: number): string {
  const path = join(work, name);
  writeFileSync(
    path,
    `<?xml version="1.0"?>
<scenario name="stall">
  <nop>
    <action>
      <assignstr assign_to="s" value="aaaaaaaaaaaaaaaaaaaaaaaaa!"/>
      <ereg regexp="^(a+)+$" search_in="var" variable="s" assign_to="m"/>
      <log message="[$m]"/>
    </action>
  </nop>
  <pause milliseconds="${pauseMs}"/>
</scenario>
`,
  );
  return path;
}
const scenario = stallScenario('stall.xml', 1500);
// The pause is due before the stall is over: the call ends the run in the first tick after it, before the
// watchdog's timer has run (a stall longer than the pause did that to the 1500-ms one on a loaded machine).
const shortPause = stallScenario('stall-short.xml', 50);

const run = (name: string, extra: readonly string[], file = scenario): Promise<Exited & { stat: Record<string, string> }> =>
  sipts(
    [
      '-sf',
      file,
      '127.0.0.1:9',
      '-i',
      '127.0.0.1',
      '-p',
      '0',
      '-cp',
      '0',
      '-nostdin',
      '-m',
      '1',
      '-trace_stat',
      '-stf',
      join(work, name),
      '-fd',
      '1',
      '-watchdog_interval',
      '100',
      ...extra,
    ],
    30_000,
  ).exited.then((r) => ({ ...r, stat: lastCsvRow(join(work, name)) }));

test('a stalled event loop: the watchdog counts a trip, and too many end the run (exit 255)', { timeout: 60_000 }, async () => {
  const fatalOptions = ['-watchdog_major_threshold', '300', '-watchdog_major_maxtriggers', '0'];
  const [counted, fatal, atEnd] = await Promise.all([
    run('counted.csv', ['-watchdog_minor_threshold', '300', '-watchdog_major_threshold', '60000']),
    run('fatal.csv', fatalOptions),
    run('at-end.csv', fatalOptions, shortPause),
  ]);
  assert.equal(counted.code, 0, counted.stderr);
  assert.ok(Number(counted.stat['WatchdogMinor(C)']) >= 1, JSON.stringify(counted.stat));
  assert.equal(counted.stat['WatchdogMajor(C)'], '0');
  assert.equal(fatal.code, 255);
  assert.match(
    fatal.stderr,
    /^sipts: error: Overload error: the watchdog timer has tripped the major threshold of 300ms too many times \(1 out of 0 allowed\)/m,
  );
  assert.equal(fatal.stat['WatchdogMajor(C)'], '1');
  // The stall that ends the run still counts.
  assert.equal(atEnd.code, 255, atEnd.stderr);
  assert.equal(atEnd.stat['WatchdogMajor(C)'], '1');
});
