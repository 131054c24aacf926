/**
 * SIPp's signal contract (sipp -h, "Signal handling"): USR2 dumps every statistics screen to
 * <scenario>_<pid>_screen.log and the run goes on; USR1 is the q key, a soft stop. Node's own meanings of
 * these signals (USR1 opens the inspector, USR2 kills the process) must not show.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startSiptsUas } from '../helpers.js';

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test(
  'SIGUSR2 dumps the screens to <scenario>_<pid>_screen.log and the run goes on; SIGUSR1 stops it gracefully; no inspector',
  { timeout: 60_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sipts-signals-'));
    const uas = await startSiptsUas(['-nostdin'], 30_000, dir);
    t.after(() => uas.child.kill('SIGKILL'));
    let stderr = '';
    uas.child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const pid = uas.child.pid ?? 0;
    const file = join(dir, `uas_${pid}_screen.log`);
    assert.equal(existsSync(file), false);

    uas.child.kill('SIGUSR2');
    await until(file, () => existsSync(file) && readFileSync(file, 'latin1').includes('Elapsed'));
    const once = readFileSync(file, 'latin1');
    assert.match(once, /Scenario Screen/);
    assert.match(once, /Statistics Screen/);
    assert.equal(uas.child.exitCode, null, 'USR2 does not end the run');

    uas.child.kill('SIGUSR2');
    await until('a second dump', () => readFileSync(file, 'latin1').split('Scenario Screen').length === 3);

    uas.child.kill('SIGUSR1');
    const r = await uas.exited;
    assert.notEqual(r.code, null, 'exited by itself, not killed');
    assert.match(stderr, /stopping: no new calls/);
    assert.doesNotMatch(stderr, /Debugger listening|inspector/i);
  },
);
