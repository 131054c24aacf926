/**
 * The saturation report end to end (issue 19): a UAC asked for more calls than one thread can make says it is
 * the bottleneck; a UAS whose socket overflows reports the kernel's own drop count for that socket; a light
 * run says it kept up.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN, junitSchemaErrors, outputSoFar, sipts, startSiptsUas, loopbackUac } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sipts-saturation-'));

interface Saturation {
  saturated: boolean;
  what: string[];
  sinceMs: number | null;
  meaning: string;
  receiveDrops: { count: number; scope: string };
  signals: Record<string, { crossed: boolean; sinceMs: number | null; peak: number; limit: number }>;
}
const saturationOf = (file: string): Saturation => (JSON.parse(readFileSync(file, 'utf8')) as { saturation: Saturation }).saturation;

/** The kernel's drop count for the UDP sockets bound to `port` on loopback, from /proc/net/udp. */
function procDrops(port: number): number {
  let sum = 0;
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] === `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`) sum += Number(f[12]);
  }
  return sum;
}

async function until<T>(what: string, probe: () => T | undefined, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not within ${ms} ms`);
}

test(
  'a UAC asked for -r 80000 says sipts is the bottleneck: --json saturation, the progress line and the summary',
  { timeout: 90_000 },
  async (t) => {
    const uas = await startSiptsUas();
    t.after(() => uas.child.kill('SIGKILL'));
    const json = join(dir, 'flood-uac.json');
    const junit = join(dir, 'flood-uac.xml');
    const html = join(dir, 'flood-uac.html');
    const uac = sipts(
      [
        ...loopbackUac(uas.port),
        '-cp',
        '0',
        '-r',
        '80000',
        '-timeout',
        '6',
        '--json',
        json,
        '--junit',
        junit,
        '--html',
        html,
        '--prometheus',
        '127.0.0.1:0',
      ],
      60_000,
    );
    t.after(() => uac.child.kill('SIGKILL'));
    // While the run goes on, /metrics says so too, once the progress line has.
    const url = await until('the metrics address', () => /Prometheus metrics on (http:\/\/\S+\/metrics)/.exec(outputSoFar(uac.child))?.[1]);
    await until('the SATURATED progress line', () => (/SATURATED: /.test(outputSoFar(uac.child)) ? true : undefined));
    const metrics = await (await fetch(url)).text();
    assert.match(metrics, /^sipts_saturated 1$/m);
    assert.match(metrics, /^sipts_saturation_crossed\{what="behind-schedule"\} [01]$/m);
    assert.match(metrics, /^sipts_receive_drops_total \d+$/m);
    const r = await uac.exited;
    const s = saturationOf(json);
    assert.equal(s.saturated, true, JSON.stringify(s));
    // One thread cannot start 80,000 calls a second: it falls behind the schedule, whatever else gives.
    assert.ok(s.what.includes('behind-schedule'), JSON.stringify(s));
    assert.equal(s.signals['behind-schedule']?.crossed, true);
    assert.ok((s.signals['behind-schedule']?.peak ?? 0) >= 100);
    assert.equal(typeof s.sinceMs, 'number');
    assert.match(s.meaning, /^from \d+\.\d s on, the figures measure sipts, not the server: .*try -workers$/);
    // Without a TTY the progress line said it as soon as it crossed; the summary says it at the end.
    assert.match(r.stderr, /SATURATED: [^\n]*behind the call rate's schedule[^\n]*figures measure sipts, not the server; try -workers/);
    assert.match(r.stdout, /SATURATED from \d+\.\d s on: from then on the figures measure sipts, not the server; try -workers/);
    // JUnit: a failing case of its own, valid against Jenkins' schema; HTML: a line under the verdict.
    const xml = readFileSync(junit, 'utf8');
    assert.deepEqual(await junitSchemaErrors(xml), []);
    assert.match(
      xml,
      /<testsuite name="sipts uac: load generator" tests="1" failures="1"[^>]*>\s*<testcase classname="sipts uac" name="sipts kept up \(not saturated\)" time="0">\s*<failure message="from \d+\.\d s on, the figures measure sipts, not the server: /,
    );
    assert.match(
      readFileSync(html, 'utf8'),
      /<p class="fail"><strong>Saturated<\/strong>: from \d+\.\d s on, the figures measure sipts, not the server: /,
    );
  },
);

test(
  'a UAS flooded past its receive buffer reports the drops the kernel counted for its socket',
  { timeout: 90_000, skip: !existsSync('/proc/net/udp') && 'no /proc/net/udp (not Linux)' },
  async (t) => {
    const json = join(dir, 'flooded-uas.json');
    // SIPp's own default buffer (64 KB): a burst fills it long before sipts reads it.
    const uas = await startSiptsUas(['-buff_size', '65535', '--json', json]);
    t.after(() => uas.child.kill('SIGKILL'));
    const sender = createSocket('udp4');
    t.after(() => sender.close());
    await new Promise<void>((resolve) => {
      sender.bind(0, '127.0.0.1', resolve);
    });
    const junk = Buffer.alloc(200, 'x');
    // Bursts of 2,000 datagrams with no pause inside a burst, until the kernel has dropped some.
    await until('drops on the UAS socket', () => {
      for (let i = 0; i < 2000; i++) sender.send(junk, uas.port, '127.0.0.1');
      return procDrops(uas.port) > 0 ? true : undefined;
    });
    // The flood is over once two readings a moment apart agree.
    let last = -1;
    const drops = await until('the drop count to settle', () => {
      const now = procDrops(uas.port);
      const settled = now === last;
      last = now;
      return settled ? now : undefined;
    });
    assert.ok(drops > 0);
    // The progress line (every 2 s) names the count once the watch has read it.
    const named = new RegExp(`SATURATED: [^\\n]*\\b${drops} datagrams dropped by the kernel on sipts's sockets`);
    await until(`the progress line to name ${drops} drops`, () => (named.test(outputSoFar(uas.child)) ? true : undefined));
    uas.child.kill('SIGTERM');
    const r = await uas.exited;
    assert.equal(r.code, 0, r.stderr);
    const s = saturationOf(json);
    assert.equal(s.saturated, true);
    assert.ok(s.what.includes('receive-drops'));
    assert.deepEqual(s.receiveDrops, { count: drops, scope: 'sockets' });
    assert.match(r.stdout, new RegExp(`receive-drops: ${drops} datagrams dropped by the kernel on sipts's sockets`));
  },
);

test('a light run (-r 10 -m 20) is not saturated', { timeout: 60_000 }, async (t) => {
  const uas = await startSiptsUas(['-m', '20']);
  t.after(() => uas.child.kill('SIGKILL'));
  const json = join(dir, 'light.json');
  const junit = join(dir, 'light.xml');
  const r = await sipts([...loopbackUac(uas.port), '-r', '10', '-m', '20', '--json', json, '--junit', junit]).exited;
  assert.equal(r.code, 0, r.stderr);
  const s = saturationOf(json);
  assert.equal(s.saturated, false, JSON.stringify(s));
  assert.deepEqual(s.what, []);
  assert.equal(s.sinceMs, null);
  assert.equal(s.signals['cpu']?.sinceMs, null);
  assert.equal(s.receiveDrops.count, 0);
  assert.equal(s.receiveDrops.scope, 'sockets');
  assert.equal(s.meaning, 'sipts kept up: the figures measure the server');
  assert.doesNotMatch(r.stderr, /SATURATED/);
  assert.match(r.stdout, /^Saturation: none/m);
  assert.match(
    readFileSync(junit, 'utf8'),
    /<testsuite name="sipts uac: load generator" tests="1" failures="0"[^>]*>\s*<testcase classname="sipts uac" name="sipts kept up \(not saturated\)" time="0"><\/testcase>/,
  );
});

const tmuxAvailable = (): boolean => spawnSync('tmux', ['-V'], { stdio: 'ignore' }).error === undefined;

test(
  'in a terminal, the live screen heads with the SATURATED line',
  { timeout: 90_000, skip: !tmuxAvailable() && 'tmux is not installed' },
  async (t) => {
    const uas = await startSiptsUas(['-cp', '0']);
    t.after(() => uas.child.kill('SIGKILL'));
    const session = `sipts-saturation-${process.pid}`;
    const command = `${process.execPath} ${BIN} -sn uac 127.0.0.1:${uas.port} -i 127.0.0.1 -p 0 -cp 0 -r 80000 -timeout 20 -f 0.5; sleep 60`;
    // Wide enough that the alert is one line.
    spawnSync('tmux', ['new-session', '-d', '-s', session, '-x', '400', '-y', '60', command]);
    t.after(() => {
      spawnSync('tmux', ['kill-session', '-t', session]);
    });
    const screen = (): string => spawnSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' }).stdout;
    const shown = await until(
      'the SATURATED line above the scenario screen',
      () => {
        const s = screen();
        return /^SATURATED: [^\n]* since \d+\.\d s: figures measure sipts, not the server; try -workers\n-+ Scenario Screen/m.test(s)
          ? s
          : undefined;
      },
      40_000,
    );
    assert.match(shown, /80000 \/ 1000 ms/);
  },
);
