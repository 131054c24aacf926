/**
 * The control port (-cp) takes SIPp's commands: the same datagrams sent to SIPp 3.6.1 and to sipts get the
 * same warnings, and the commands sipts does act on change the run: `creset stats`, `cset limit`,
 * `ctrace messages on`, `cdump tasks`.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, sipp, sippAvailable, sipts } from '../helpers.js';

const skip = sippAvailable() ? false : 'sipp is not installed (apt-get install sip-tester)';

async function send(port: number, ...datagrams: string[]): Promise<void> {
  const s = createSocket('udp4');
  for (const d of datagrams) await new Promise<void>((r) => s.send(d, port, '127.0.0.1', () => r()));
  s.close();
}

/** A sipts uas with a control port, both read from what it announces (a probe of the port could race its bind). */
async function siptsWithControl(
  extra: readonly string[],
  cwd: string,
): Promise<{
  child: ReturnType<typeof sipts>['child'];
  exited: ReturnType<typeof sipts>['exited'];
  sipPort: number;
  cp: number;
  stderr: () => string;
}> {
  const run = sipts(['-sn', 'uas', '-i', '127.0.0.1', '-p', '0', '-cp', String(await freePort()), '-nostdin', ...extra], 60_000, cwd);
  let seen = '';
  run.child.stderr?.on('data', (d: Buffer) => {
    seen += d.toString();
  });
  await until('the control port', () => /control port \S+:\d+/.test(seen) || run.child.exitCode !== null);
  const sipPort = Number(/answering on 127\.0\.0\.1:(\d+)/.exec(seen)?.[1]);
  const cp = Number(/control port 127\.0\.0\.1:(\d+)/.exec(seen)?.[1]);
  assert.ok(sipPort > 0 && cp > 0, seen);
  return { child: run.child, exited: run.exited, sipPort, cp, stderr: () => seen };
}

/** Whether a socket is bound to UDP `port`, read from /proc (a probing bind could take the port first). */
function udpBound(port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  return ['/proc/net/udp', '/proc/net/udp6'].some(
    (f) =>
      existsSync(f) &&
      readFileSync(f, 'latin1')
        .split('\n')
        .some((l) => l.trim().split(/\s+/)[1]?.endsWith(hex.trim()) === true),
  );
}

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Commands that sipts answers as SIPp does: refusals, malformed ones, and the variable dump of a uas. */
const REFUSED = [
  'cdump variables',
  'cfrob x',
  'cset',
  'cset rate',
  'cset rate abc',
  'cset rate-scale x',
  'cset limit abc',
  'cset users 3',
  'cset display nowhere',
  'cset colour red',
  'ctrace',
  'ctrace logs maybe',
  'ctrace nothing on',
  'cdump nothing',
  'creset foo',
];

test('refused control commands and dump variables: sipts answers as SIPp 3.6.1, word for word', { skip, timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-cp-'));
  const sippCp = await freePort();
  const sippSip = await freePort();
  const theirs = sipp(['-sn', 'uas', '-i', '127.0.0.1', '-p', String(sippSip), '-cp', String(sippCp), '-trace_err'], 30_000, dir);
  t.after(() => theirs.child.kill('SIGKILL'));
  await until("SIPp's control port", () => udpBound(sippCp));
  const ours = await siptsWithControl([], dir);
  t.after(() => ours.child.kill('SIGKILL'));
  await send(sippCp, ...REFUSED);
  await send(ours.cp, ...REFUSED);
  const sippLog = (): string[] => {
    const f = readdirSync(dir).find((n) => /^uas_\d+_errors\.log$/.test(n));
    if (f === undefined) return [];
    // SIPp's lines: "<date>\t<time>\t<epoch>: text", sometimes with no newline between them.
    return readFileSync(join(dir, f), 'latin1')
      .split(/\d{4}-\d\d-\d\d\t[\d:.]+\t[\d.]+: /)
      .slice(1)
      .map((l) => l.trim());
  };
  const ourLines = (): string[] =>
    [...ours.stderr().matchAll(/^sipts: (.*)$/gm)].map((m) => m[1] ?? '').filter((l) => !/answering on|control port/.test(l));
  // The last command's answer comes last (one datagram after another on loopback).
  await until("SIPp's warnings", () => sippLog().at(-1) === 'Unknown reset type: foo');
  await until("sipts's warnings", () => ourLines().at(-1) === 'Unknown reset type: foo');
  assert.deepEqual(ourLines(), sippLog());
});

test(
  'creset stats, cset limit, ctrace messages on, ctrace shortmessages on and cdump tasks change a sipts run',
  { skip, timeout: 60_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sipts-cp-'));
    const json = join(dir, 'uas.json');
    const uas = await siptsWithControl(['-m', '8', '-json', json], dir);
    t.after(() => uas.child.kill('SIGKILL'));
    const cp = uas.cp;
    let from = 0;
    const stderrSince = (): string => uas.stderr().slice(from);
    const calls = async (n: number): Promise<void> => {
      const r = await sipp(['-sn', 'uac', `127.0.0.1:${uas.sipPort}`, '-i', '127.0.0.1', '-m', String(n), '-r', '20'], 30_000, dir).exited;
      assert.equal(r.code, 0, r.stdout.slice(-1500));
    };
    await calls(5);
    const messages = join(dir, `uas_${uas.child.pid ?? 0}_messages.log`);
    const short = join(dir, `uas_${uas.child.pid ?? 0}_shortmessages.log`);
    assert.equal(existsSync(messages), false);
    assert.equal(existsSync(short), false);
    // The uas keeps its calls a while after the BYE (timewait): wait until `dump tasks` shows none open, so that
    // no call of the first batch ends after the reset.
    await until(
      'no open call',
      () => {
        if (/---- 0 Active Tasks ----/.test(stderrSince())) return true;
        void send(cp, 'cdump tasks');
        return false;
      },
      20_000,
    );
    from = uas.stderr().length;
    await send(cp, 'creset stats', 'cset limit 7', 'ctrace messages on', 'ctrace shortmessages on', 'cdump tasks');
    // The dump is the last datagram: once it shows, the others have been done.
    await until('the task dump', () => /---- \d+ Active Tasks ----/.test(stderrSince()));
    await calls(3);
    const r = await uas.exited;
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { counters: Record<string, number>; parameters: Record<string, number> };
    assert.equal(report.counters['CallsCreated'], 3, 'counted from the reset on');
    assert.equal(report.counters['SuccessfulCalls'], 3);
    assert.equal(report.parameters['limit'], 7);
    const traced = readFileSync(messages, 'latin1');
    assert.equal(traced.match(/^INVITE /gm)?.length, 3, 'the messages of the calls after `trace messages on`, and only those');
    // SIPp's short message line: time, R (received), Call-ID, CSeq, the start line; tab-separated.
    assert.equal(
      readFileSync(short, 'latin1').match(/\tR\t[^\t]+\tCSeq:1 INVITE\tINVITE sip:/g)?.length,
      3,
      'a line per INVITE after `trace shortmessages on`',
    );
  },
);

test('sipts -cp: an unknown key is ignored and cquit stops the run', { timeout: 30_000 }, async (t) => {
  const ours = await siptsWithControl([], tmpdir());
  t.after(() => ours.child.kill('SIGKILL'));
  await send(ours.cp, 'z', 'cquit');
  const r = await ours.exited;
  assert.notEqual(r.code, null);
  assert.match(ours.stderr(), /stopping: no new calls/);
});

test(
  'cset display ooc shows the out-of-call scenario (a USR2 dump has its steps); rx without -rxsf is unknown, as in SIPp',
  { timeout: 30_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sipts-cp-'));
    const run = sipts(
      [
        `127.0.0.1:${await freePort()}`,
        '-sn',
        'uac',
        '-oocsn',
        'ooc_default',
        '-i',
        '127.0.0.1',
        '-p',
        '0',
        '-m',
        '1',
        '-cp',
        String(await freePort()),
        '-nostdin',
        '-timeout',
        '20',
      ],
      30_000,
      dir,
    );
    t.after(() => run.child.kill('SIGKILL'));
    let seen = '';
    run.child.stderr?.on('data', (d: Buffer) => {
      seen += d.toString();
    });
    await until('the control port', () => /control port 127\.0\.0\.1:\d+/.test(seen));
    const cp = Number(/control port 127\.0\.0\.1:(\d+)/.exec(seen)?.[1]);
    await send(cp, 'cset display ooc', 'cset display rx', 'cdump tasks');
    await until('the task dump', () => /Active Tasks/.test(seen));
    assert.match(seen, /Unknown display scenario: rx/);
    assert.doesNotMatch(seen, /Unknown display scenario: ooc/);
    run.child.kill('SIGUSR2');
    const file = join(dir, `uac_${run.child.pid ?? 0}_screen.log`);
    await until('the screen dump', () => existsSync(file) && readFileSync(file, 'latin1').includes('Elapsed'));
    const dump = readFileSync(file, 'latin1');
    assert.match(dump, /<- \.\*/, "the out-of-call scenario's steps");
    assert.doesNotMatch(dump, /INVITE ->/, "not the main scenario's");
    await send(cp, 'Q');
    await run.exited;
  },
);

test(
  '-workers 2: ctrace messages on turns the message trace on in both workers, into the one file of the run',
  { skip, timeout: 60_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sipts-cp-'));
    const uas = await siptsWithControl(['-m', '10', '-workers', '2'], dir);
    t.after(() => uas.child.kill('SIGKILL'));
    const calls = async (n: number): Promise<void> => {
      const r = await sipp(['-sn', 'uac', `127.0.0.1:${uas.sipPort}`, '-i', '127.0.0.1', '-m', String(n), '-r', '20'], 30_000, dir).exited;
      assert.equal(r.code, 0, r.stdout.slice(-1500));
    };
    await calls(2);
    const messages = join(dir, `uas_${uas.child.pid ?? 0}_messages.log`);
    assert.equal(existsSync(messages), false);
    await send(uas.cp, 'ctrace messages on');
    await until('the trace file', () => existsSync(messages));
    await calls(8);
    const r = await uas.exited;
    assert.equal(r.code, 0, r.stderr);
    const traced = readFileSync(messages, 'latin1');
    const callIds = new Set([...traced.matchAll(/^Call-ID: (.*)$/gm)].map((m) => m[1]?.trim()));
    assert.equal(traced.match(/^INVITE /gm)?.length, 8, 'the INVITEs of the calls after `ctrace messages on`, and only those');
    assert.equal(callIds.size, 8);
    // Both workers answered some of them (by Call-ID hash), and both traced.
    assert.match(r.stderr, /datagrams handed to the workers: [1-9]\d*, [1-9]\d*;/);
  },
);
