/**
 * -workers through the command line: what it refuses for now (an answering scenario over streams), an answering run handing calls to its workers by Call-ID, and a
 * signal stopping every worker gracefully, with the stat file and --json showing the merged run.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { countersOf, csvRows, freePort, HEADLESS, loopbackUac, sipts, startSiptsUas } from '../helpers.js';

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('-workers 2 refuses an answering scenario over TCP, saying so (exit 255)', { timeout: 30_000 }, async () => {
  const tcp = await sipts(['-sn', 'uas', '-i', '127.0.0.1', '-p', '0', '-nostdin', '-workers', '2', '-t', 't1'], 20_000).exited;
  assert.equal(tcp.code, 255, tcp.stderr);
  assert.match(
    tcp.stderr,
    /answering from several workers \(datagrams handed over by Call-ID\) works over UDP with one socket \(-t u1\) only/,
  );
  const bad = await sipts([`127.0.0.1:${await freePort()}`, '-sn', 'uac', '-workers', 'many'], 20_000).exited;
  assert.equal(bad.code, 255);
  assert.match(bad.stderr, /-workers many: expected a number of worker threads from 1 to 1024, or auto/);
});

test(
  "-workers 2 -p P: worker 1 binds P+1; when that port is taken the run exits with SIPp's cannot-bind code (254), worker 0 stopped too",
  { timeout: 30_000 },
  async (t) => {
    const held = dgram.createSocket('udp4');
    await new Promise<void>((r) => held.bind(0, '127.0.0.1', () => r()));
    t.after(() => held.close());
    const port = held.address().port;
    // Worker 0 takes port − 1 (free, most likely: the system hands out ports at random), worker 1 the held one.
    const r = await sipts(
      [`127.0.0.1:${await freePort()}`, '-sn', 'uac', '-i', '127.0.0.1', '-p', String(port - 1), ...HEADLESS, '-workers', '2', '-m', '10'],
      20_000,
    ).exited;
    assert.equal(r.code, 254, r.stderr);
    assert.match(r.stderr, new RegExp(`cannot bind UDP 127\\.0\\.0\\.1:${port}`));
  },
);

test(
  'SIGINT stops every worker gracefully: open calls end, exit 0; the stat file and --json count the merged run',
  { timeout: 60_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sipts-workers-'));
    const uas = await startSiptsUas(['-nostdin'], 60_000, dir);
    t.after(() => uas.child.kill('SIGKILL'));
    const stat = join(dir, 'stat.csv');
    const json = join(dir, 'run.json');
    const uac = sipts(
      [
        ...loopbackUac(uas.port),
        ...HEADLESS,
        '-workers',
        '2',
        '-r',
        '40',
        '-d',
        '300',
        '-trace_stat',
        '-stf',
        stat,
        '-fd',
        '1',
        '--json',
        json,
      ],
      50_000,
      dir,
    );
    t.after(() => uac.child.kill('SIGKILL'));
    // A stat row with calls from both workers' first second: the run is under way.
    await until('a stat row with calls', () => existsSync(stat) && csvRows(stat).some((r) => Number(r['TotalCallCreated']) >= 20));
    uac.child.kill('SIGINT');
    const r = await uac.exited;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /stopping: no new calls/);
    const c = countersOf(json);
    assert.ok(c['CallsCreated'] !== undefined && c['CallsCreated'] >= 20, `created ${c['CallsCreated']}`);
    assert.equal(c['SuccessfulCalls'], c['CallsCreated'], 'the open calls ended normally');
    const last = csvRows(stat).at(-1) ?? {};
    assert.equal(Number(last['TotalCallCreated']), c['CallsCreated'], 'the last stat row holds the merged run');
    assert.equal(Number(last['SuccessfulCall(C)']), c['SuccessfulCalls']);
  },
);

test(
  'sipts uac against sipts -sn uas -workers 2 -m 200: every call succeeds on the one port, each worker handled datagrams, the run ends after exactly 200 calls over both workers',
  { timeout: 90_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sipts-uasworkers-'));
    const json = join(dir, 'uas.json');
    // -m is the whole run's: the workers take their calls from one shared count.
    const uas = await startSiptsUas(['-workers', '2', '-m', '200', '-cp', '0', '-nostdin', '--json', json], 60_000, dir);
    t.after(() => uas.child.kill('SIGKILL'));
    const uac = await sipts([...loopbackUac(uas.port), ...HEADLESS, '-r', '100', '-m', '200'], 60_000, dir).exited;
    assert.equal(uac.code, 0, uac.stderr);
    const end = await uas.exited;
    assert.equal(end.code, 0, end.stderr);
    assert.match(end.stderr, /2 worker threads \(-workers\), each given the datagrams of its Call-IDs from this one socket/);
    // Each call is INVITE, ACK and BYE from the uac: 600 datagrams (more only if the uac retransmitted), split by
    // Call-ID, so without retransmissions each worker's count is a multiple of 3.
    const handed =
      /datagrams handed to the workers: (\d+), (\d+); lost: 0 \(a worker's ring full\), 0 \(sends, the I\/O thread behind\), 0 \(send errors\)/.exec(
        end.stderr,
      );
    assert.ok(handed !== null, end.stderr);
    const [a, b] = [Number(handed[1]), Number(handed[2])];
    assert.ok(a + b >= 600 && a > 0 && b > 0, end.stderr);
    if (a + b === 600) assert.ok(a % 3 === 0 && b % 3 === 0, `every message of a call goes to one worker: ${a}, ${b}`);
    const c = countersOf(json);
    assert.equal(c['CallsCreated'], 200);
    assert.equal(c['SuccessfulCalls'], 200);
    assert.equal(c['FailedCalls'], 0);
  },
);

test(
  'the Workers screen (7): each worker side by side, its share of -m 40 (20 each), its own port, and the merged total (-trace_screen)',
  { timeout: 60_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sipts-workerscreen-'));
    const uas = await startSiptsUas(['-cp', '0', '-nostdin'], 50_000, dir);
    t.after(() => uas.child.kill('SIGKILL'));
    const screen = join(dir, 'screen.log');
    const r = await sipts(
      [...loopbackUac(uas.port), ...HEADLESS, '-workers', '2', '-r', '40', '-m', '40'].concat(['-screen_file', screen]),
      50_000,
      dir,
    ).exited;
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(screen, 'utf8');
    const block = text.slice(text.indexOf('-- Workers Screen --'));
    const row = (name: string): string[] => {
      const line = block.split('\n').find((l) => l.trimStart().startsWith(`${name} `));
      assert.ok(line !== undefined, `no row ${name} in\n${block}`);
      return line.trim().split(/\s+/);
    };
    // Worker, Port, Created, cps, Successful, Failed, Open, Behind ms ("0 (end)": the worker has ended).
    const w0 = row('0').filter((c) => c !== '(end)'),
      w1 = row('1').filter((c) => c !== '(end)'),
      all = row('All');
    assert.deepEqual([w0[2], w0[4], w0[5], w0[6]], ['20', '20', '0', '0'], block);
    assert.deepEqual([w1[2], w1[4], w1[5], w1[6]], ['20', '20', '0', '0'], block);
    assert.notEqual(w0[1], w1[1], 'each worker its own local port');
    assert.deepEqual([all[1], all[3], all[4]], ['40', '40', '0'], block);
  },
);
