/**
 * The live screen in a real terminal: tmux runs sipts on a pseudo-terminal; the test reads the screen with
 * capture-pane and presses keys with send-keys, as a person would.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN, startSiptsUas } from '../helpers.js';

/** Whether tmux is installed; in CI its absence is a failure (.ci/run installs it). */
function tmuxAvailable(): boolean {
  const ok = spawnSync('tmux', ['-V'], { stdio: 'ignore' }).error === undefined;
  if (!ok && process.env['CI'] === 'true') throw new Error('tmux is not installed: .ci/run must install it');
  return ok;
}

const tmux = (...args: string[]): string => {
  const r = spawnSync('tmux', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

async function until<T>(what: string, probe: () => T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  let last = '';
  while (Date.now() < end) {
    const v = probe();
    if (v !== undefined) return v;
    last = screenOf();
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not seen within ${ms} ms; the screen was:\n${last}`);
}

let session = '';
const screenOf = (): string => (session === '' ? '' : tmux('capture-pane', '-p', '-t', session));

test(
  'a 20-second run: the live screen updates in a terminal; keys change the rate, switch screens and stop the run',
  { timeout: 90_000, skip: !tmuxAvailable() && 'tmux is not installed' },
  async (t) => {
    const uas = await startSiptsUas(['-cp', '0']);
    t.after(() => uas.child.kill('SIGKILL'));
    const dir = mkdtempSync(join(tmpdir(), 'sipts-live-'));
    const rc = join(dir, 'rc');
    session = `sipts-live-${process.pid}`;
    const command = `${process.execPath} ${BIN} -sn uac 127.0.0.1:${uas.port} -i 127.0.0.1 -p 0 -cp 0 -r 10 -d 500 -f 0.2 --json ${join(dir, 'run.json')}; echo $? > ${rc}; sleep 120`;
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '60', command);
    t.after(() => {
      spawnSync('tmux', ['kill-session', '-t', session]);
    });

    // Screen 1 redraws as calls are made: the created count grows.
    const created = (s: string): number | undefined => {
      const m = /(\d+) created \(/.exec(s);
      return s.includes('Scenario Screen') && m !== null ? Number(m[1]) : undefined;
    };
    const first = await until('the scenario screen with calls', () => {
      const n = created(screenOf());
      return n !== undefined && n > 0 ? n : undefined;
    });
    await until('more calls on a later redraw', () => {
      const n = created(screenOf());
      return n !== undefined && n > first ? n : undefined;
    });
    assert.match(screenOf(), /10 \/ 1000 ms/);

    // * raises the rate by 10, + by 1, - lowers it by 1.
    tmux('send-keys', '-t', session, '*');
    await until('the rate at 20', () => (/20 \/ 1000 ms/.test(screenOf()) ? true : undefined));
    tmux('send-keys', '-t', session, '+');
    await until('the rate at 21', () => (/21 \/ 1000 ms/.test(screenOf()) ? true : undefined));
    tmux('send-keys', '-t', session, '-');
    await until('the rate at 20 again', () => (/20 \/ 1000 ms/.test(screenOf()) ? true : undefined));

    // 2 to 6 switch screens; 1 comes back.
    for (const [key, name] of [
      ['2', 'Statistics'],
      ['3', 'Repartition'],
      ['4', 'Variables'],
      ['5', 'Percentiles'],
      ['6', 'Failures'],
      ['1', 'Scenario'],
    ] as const) {
      tmux('send-keys', '-t', session, key);
      await until(`screen ${key}`, () => (screenOf().includes(`${name} Screen`) ? true : undefined));
    }

    // The 20-second run: the screen goes on updating until then.
    const elapsed = (): number | undefined => {
      const m = /\s(\d+\.\d+) s\s+\d+\s+127\.0\.0\.1:/.exec(screenOf());
      return m === null ? undefined : Number(m[1]);
    };
    const before = created(screenOf()) ?? 0;
    await until('20 s of run time', () => ((elapsed() ?? 0) >= 20 ? true : undefined), 40_000);
    assert.ok((created(screenOf()) ?? 0) > before);

    // q stops gracefully: the run ends, and the summary shows percentiles.
    tmux('send-keys', '-t', session, 'q');
    await until('the run to end', () => (existsSync(rc) && readFileSync(rc, 'utf8').trim() !== '' ? true : undefined));
    assert.equal(readFileSync(rc, 'utf8').trim(), '0');
    const end = tmux('capture-pane', '-p', '-t', session, '-S', '-200');
    assert.match(end, /Timing \(ms\) +│ count +│ p50 +│ p90 +│ p99 +│ p99\.9 +│ max/);
    assert.match(end, /Response time 1 +│ \d+/);
    const json = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { endReason: string; counters: Record<string, number> };
    assert.equal(json.endReason, 'stopped');
    assert.equal(json.counters['FailedCalls'], 0);
  },
);
