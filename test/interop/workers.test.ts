/**
 * -workers against SIPp 3.6.1's uas (issue 19): a split run makes exactly the calls asked, and SIPp's own message
 * trace shows how the workers shared the injection lines: a USER file's user in one worker only, a SEQUENTIAL
 * file's lines each once per pass. Which worker placed a call is read from its Call-ID (%p: <pid>.w<k>).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { toneWav } from '../../src/media/tone.js';
import {
  countersOf,
  freeUdpRange,
  HEADLESS,
  loopbackScenario,
  loopbackUac,
  ROOT,
  sipp,
  sippAvailable,
  sipts,
  startSippUas,
  startSiptsUas,
} from '../helpers.js';
import { mediaUacScenario } from '../media-helpers.js';

const skip = sippAvailable() ? false : 'sipp is not installed (apt-get install sip-tester)';
const work = mkdtempSync(join(tmpdir(), 'sipts-workers-'));

/** sipts's built-in uac with `headers` in place of its Subject line. */
function uacWith(name: string, headers: string): string {
  const file = join(work, name);
  writeFileSync(file, readFileSync(join(ROOT, 'scenarios/uac.xml'), 'utf8').replace(/Subject: [^\n]*/, headers));
  return file;
}

const header = (text: string, name: string): string => new RegExp(`^${name}: (.*)$`, 'mi').exec(text)?.[1]?.trim() ?? '';

/** Each call's first INVITE that SIPp received (its -trace_msg file): Call-ID, the worker it names, Via port and `names`. */
function invitesReceived(file: string, names: readonly string[]): { callId: string; worker: string; viaPort: string; values: string[] }[] {
  const seen = new Set<string>();
  const out: { callId: string; worker: string; viaPort: string; values: string[] }[] = [];
  for (const block of readFileSync(file, 'latin1')
    .split(/^-{47} /m)
    .slice(1)) {
    if (!/message received/.test(block) || !/\n\nINVITE /.test(block.replace(/\r/g, ''))) continue;
    const text = block.replace(/\r/g, '');
    const callId = header(text, 'Call-ID');
    if (seen.has(callId)) continue;
    seen.add(callId);
    const worker = /^\d+-\d+\.w(\d+)@/.exec(callId)?.[1] ?? `? (${callId})`;
    const viaPort = /^Via: SIP\/2\.0\/UDP [^:;]+:(\d+)/m.exec(text)?.[1] ?? '?';
    out.push({ callId, worker, viaPort, values: names.map((n) => header(text, n)) });
  }
  return out;
}

async function uasTracing(t: TestContext, name: string): Promise<{ port: number; trace: string; dir: string }> {
  const dir = mkdtempSync(join(work, `${name}-`));
  const trace = join(dir, 'uas-messages.log');
  const uas = await startSippUas(dir, 'uas', ['-trace_msg', '-message_file', trace]);
  t.after(() => uas.child.kill('SIGKILL'));
  return { port: uas.port, trace, dir };
}

test(
  'sipts -sn uac -workers 2 -m 2001 -r 500 against sipp -sn uas: exactly 2001 calls created and successful in --json',
  { skip, timeout: 120_000 },
  async (t) => {
    const dir = mkdtempSync(join(work, 'm2001-'));
    const uas = await startSippUas(dir);
    t.after(() => uas.child.kill('SIGKILL'));
    const json = join(dir, 'run.json');
    const r = await sipts([...loopbackUac(uas.port), ...HEADLESS, '-workers', '2', '-m', '2001', '-r', '500', '--json', json], 90_000, dir)
      .exited;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /2 worker threads \(-workers\), on local ports \d+, \d+/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { counters: Record<string, number>; endReason: string; exitCode: number };
    assert.equal(report.counters['CallsCreated'], 2001);
    assert.equal(report.counters['SuccessfulCalls'], 2001);
    assert.equal(report.counters['FailedCalls'], 0);
    assert.equal(report.endReason, 'calls-done');
  },
);

test(
  '-workers 3 with a USER file and -users 6: SIPp sees each user (and its line) from one worker only, and each worker from its own port',
  { skip, timeout: 120_000 },
  async (t) => {
    const { port, trace, dir } = await uasTracing(t, 'user');
    const users = join(dir, 'users.csv');
    writeFileSync(users, 'USER\nu1\nu2\nu3\nu4\nu5\nu6\n');
    const scenario = uacWith('user.xml', 'X-User: [userid]\nX-Line: [field0]');
    const r = await sipts(
      [...loopbackScenario(scenario, port), ...HEADLESS, '-workers', '3', '-inf', users, '-users', '6', '-m', '60', '-d', '20'],
      90_000,
      dir,
    ).exited;
    assert.equal(r.code, 0, r.stderr);
    const calls = invitesReceived(trace, ['X-User', 'X-Line']);
    assert.equal(calls.length, 60);
    const workersOf = new Map<string, Set<string>>();
    const portsOf = new Map<string, Set<string>>();
    for (const c of calls) {
      const [user = '', line = ''] = c.values;
      // User k reads line k (SIPp compat), whichever worker it lives in.
      assert.equal(line, `u${user}`, `call ${c.callId}`);
      workersOf.set(user, (workersOf.get(user) ?? new Set()).add(c.worker));
      portsOf.set(c.worker, (portsOf.get(c.worker) ?? new Set()).add(c.viaPort));
    }
    assert.deepEqual([...workersOf.keys()].sort(), ['1', '2', '3', '4', '5', '6'], 'all six users called');
    for (const [user, ws] of workersOf) assert.equal(ws.size, 1, `user ${user} called from workers ${[...ws].join(', ')}`);
    assert.deepEqual([...new Set(calls.map((c) => c.worker))].sort(), ['0', '1', '2'], 'three workers placed calls');
    // Users striped as lines are: worker k has users k+1 and k+4.
    for (const [user, ws] of workersOf) assert.deepEqual([...ws], [String((Number(user) - 1) % 3)], `user ${user}`);
    const ports = [...portsOf.values()];
    assert.ok(
      ports.every((p) => p.size === 1),
      'a worker sends from one port',
    );
    assert.equal(new Set(ports.map((p) => [...p][0])).size, 3, 'three workers, three ports');
  },
);

test(
  '-workers 3 with a SEQUENTIAL file of 7 lines and -m 14: each line used once per pass (twice), call i of the run reading line i mod 7',
  { skip, timeout: 120_000 },
  async (t) => {
    const { port, trace, dir } = await uasTracing(t, 'seq');
    const lines = join(dir, 'seq.csv');
    writeFileSync(lines, `SEQUENTIAL\n${Array.from({ length: 7 }, (_v, i) => `l${i}`).join('\n')}\n`);
    const scenario = uacWith('seq.xml', 'X-Line: [field0]');
    const r = await sipts(
      [...loopbackScenario(scenario, port), ...HEADLESS, '-workers', '3', '-inf', lines, '-m', '14', '-r', '50'],
      90_000,
      dir,
    ).exited;
    assert.equal(r.code, 0, r.stderr);
    const calls = invitesReceived(trace, ['X-Line']);
    assert.equal(calls.length, 14);
    const uses = new Map<string, number>();
    const workersOf = new Map<string, Set<string>>();
    for (const c of calls) {
      const line = c.values[0] ?? '';
      uses.set(line, (uses.get(line) ?? 0) + 1);
      workersOf.set(line, (workersOf.get(line) ?? new Set()).add(c.worker));
    }
    assert.deepEqual(
      [...uses.entries()].sort(),
      Array.from({ length: 7 }, (_v, i) => [`l${i}`, 2]),
    );
    // Worker k places calls k, k+3, k+6 … of the run (-m 14: 5 + 5 + 4), and call i reads line i mod 7: line l is
    // read by calls l and l+7, from workers l mod 3 and (l+7) mod 3.
    for (const [line, ws] of workersOf) {
      const l = Number(line.slice(1));
      assert.deepEqual([...ws].sort(), [...new Set([String(l % 3), String((l + 7) % 3)])].sort(), `line ${line}`);
    }
  },
);

test(
  'sipp -sn uac -r 200 -m 1000 against sipts -sn uas -workers 2: SIPp exits 0 with 0 failed, --json shows 1000 successful calls, each worker handled some',
  { skip, timeout: 180_000 },
  async (t) => {
    const dir = mkdtempSync(join(work, 'uas-'));
    const json = join(dir, 'uas.json');
    const uas = await startSiptsUas(['-workers', '2', '-cp', '0', '-nostdin', '--json', json], 150_000, dir);
    t.after(() => uas.child.kill('SIGKILL'));
    const uac = await sipp(
      [...loopbackUac(uas.port), '-r', '200', '-m', '1000', '-trace_stat', '-stf', join(dir, 'sipp.csv')],
      120_000,
      dir,
    ).exited;
    assert.equal(uac.code, 0, `SIPp: ${uac.stdout.slice(-1500)}`);
    // SIPp's own stat file: its 1000 calls succeeded, none failed.
    const stat = readFileSync(join(dir, 'sipp.csv'), 'utf8').trim().split('\n');
    const cols = (stat[0] ?? '').split(';');
    const last = (stat[stat.length - 1] ?? '').split(';');
    assert.equal(last[cols.indexOf('SuccessfulCall(C)')], '1000');
    assert.equal(last[cols.indexOf('FailedCall(C)')], '0');
    uas.child.kill('SIGINT');
    const end = await uas.exited;
    assert.equal(end.code, 0, end.stderr);
    const c = countersOf(json);
    assert.equal(c['CallsCreated'], 1000, JSON.stringify(c));
    assert.equal(c['SuccessfulCalls'], 1000, JSON.stringify(c));
    assert.equal(c['FailedCalls'], 0, JSON.stringify(c));
    const handed = /datagrams handed to the workers: (\d+), (\d+); lost: 0 \(a worker's ring full\)/.exec(end.stderr);
    assert.ok(handed !== null, end.stderr);
    assert.ok(Number(handed[1]) > 0 && Number(handed[2]) > 0, `each worker handled some: ${handed[0]}`);
    assert.ok(Number(handed[1]) + Number(handed[2]) >= 3000, 'INVITE, ACK and BYE of each call');
  },
);

/** The messages of a -trace_msg file: direction, start line and Call-ID of each. */
function traced(file: string): { out: boolean; first: string; callId: string }[] {
  return readFileSync(file, 'latin1')
    .split(/^-{47} /m)
    .slice(1)
    .map((block) => {
      const text = block.replace(/\r/g, '');
      const body = text.slice(text.indexOf('\n\n') + 2);
      return { out: /message sent/.test(text), first: body.split('\n')[0] ?? '', callId: header(body, 'Call-ID') };
    });
}

test(
  '-workers 2 with -trace_msg, -trace_shortmsg and -trace_rtt against SIPp: one file each for the run, holding every message SIPp traced',
  { skip, timeout: 120_000 },
  async (t) => {
    const { port, trace, dir } = await uasTracing(t, 'traces');
    const ours = join(dir, 'uac-messages.log');
    const short = join(dir, 'uac-short.log');
    const r = await sipts(
      [
        ...loopbackUac(port),
        ...HEADLESS,
        '-workers',
        '2',
        '-m',
        '40',
        '-r',
        '40',
        '-trace_msg',
        '-message_file',
        ours,
        '-trace_shortmsg',
        '-shortmessage_file',
        short,
        '-trace_rtt',
        '-rtt_freq',
        '1',
      ],
      90_000,
      dir,
    ).exited;
    assert.equal(r.code, 0, r.stderr);
    const mine = traced(ours);
    const theirs = traced(trace);
    // What sipts sent is what SIPp received, and the other way round: the same start lines of the same calls.
    const key = (m: { first: string; callId: string }): string => `${m.callId} ${m.first}`;
    const sent = mine
      .filter((m) => m.out)
      .map(key)
      .sort();
    const received = mine
      .filter((m) => !m.out)
      .map(key)
      .sort();
    assert.deepEqual(
      sent,
      theirs
        .filter((m) => !m.out)
        .map(key)
        .sort(),
    );
    assert.deepEqual(
      received,
      theirs
        .filter((m) => m.out)
        .map(key)
        .sort(),
    );
    // The built-in uac sends INVITE, ACK and BYE in each of the 40 calls, placed by both workers.
    assert.equal(sent.length, 120);
    const callIds = new Set(mine.map((m) => m.callId));
    assert.equal(callIds.size, 40);
    assert.deepEqual([...new Set([...callIds].map((c) => /\.w(\d+)@/.exec(c)?.[1]))].sort(), ['0', '1']);
    // -trace_shortmsg: a line per message, the same messages.
    const shortLines = readFileSync(short, 'latin1').trim().split('\n');
    assert.equal(shortLines.length, mine.length);
    // SIPp's time takes three tab-separated columns (date, time, epoch), then S or R.
    assert.equal(shortLines.filter((l) => l.split('\t')[3] === 'S').length, 120);
    // -trace_rtt: the one response time of each call (rtd 1), -rtt_freq 1.
    const rttFile = readdirSync(dir).find((f) => f.endsWith('_rtt.csv'));
    assert.ok(rttFile !== undefined, readdirSync(dir).join(', '));
    const rows = readFileSync(join(dir, rttFile), 'latin1').trim().split('\n');
    assert.equal(rows[0], 'Date_ms;response_time_ms;rtd_no');
    assert.equal(rows.length - 1, 40);
    assert.ok(
      rows.slice(1).every((row) => /^\d+\.\d{3};\d+\.\d{3};1$/.test(row)),
      rows.slice(1, 4).join(' | '),
    );
  },
);

test(
  '-workers 2 with rtp_stream against sipp -sn uas -rtp_echo: the rtp figures of both workers add up, each worker on its own slice of the port range',
  { skip, timeout: 120_000 },
  async (t) => {
    const dir = mkdtempSync(join(work, 'media-'));
    writeFileSync(join(dir, 'tone.wav'), toneWav('ulaw', { durationMs: 400 }));
    writeFileSync(
      join(dir, 'uac.xml'),
      mediaUacScenario({ name: 'stream', profile: 'RTP/AVP', provisional: true, stream: 'tone.wav,3,0', payloadType: 0, talkMs: 1500 }),
    );
    const trace = join(dir, 'uas-messages.log');
    const sippMp = await freeUdpRange(3);
    const uas = await startSippUas(dir, 'uas', ['-rtp_echo', '-mp', String(sippMp), '-trace_msg', '-message_file', trace]);
    t.after(() => uas.child.kill('SIGKILL'));
    const mp = 40000;
    const json = join(dir, 'run.json');
    const r = await sipts(
      [
        ...loopbackScenario(join(dir, 'uac.xml'), uas.port),
        ...HEADLESS,
        '-workers',
        '2',
        '-m',
        '6',
        '-r',
        '10',
        '-mp',
        String(mp),
        '--json',
        json,
      ],
      90_000,
      dir,
    ).exited;
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { counters: Record<string, number>; rtp: Record<string, number> };
    assert.equal(report.counters['SuccessfulCalls'], 6);
    // 20 packets of 20 ms played 3 times by each of the 6 calls; SIPp echoed them all (the first of a stream is
    // RFC 3550 A.1's probation, not counted as received).
    assert.equal(report.rtp['packetsSent'], 6 * 60);
    assert.ok((report.rtp['packetsReceived'] ?? 0) >= 6 * 59, JSON.stringify(report.rtp));
    assert.equal(report.rtp['packetsLost'], 0);
    assert.equal(report.rtp['errors'], 0);
    assert.ok((report.rtp['jitterP99Ms'] ?? -1) >= 0 && (report.rtp['mos'] ?? 0) > 4, JSON.stringify(report.rtp));
    // -mp alone sets the range's start (SIPp 3.7); worker k gets slice k of [mp, 65535]: 12,768 pairs each.
    const half = mp + Math.floor((65535 - mp + 1) / 2 / 2) * 2;
    const calls = invitesReceived(trace, []);
    assert.equal(calls.length, 6);
    const text = readFileSync(trace, 'latin1').replace(/\r/g, '');
    for (const c of calls) {
      const block = text.slice(text.indexOf(`Call-ID: ${c.callId}`));
      const port = Number(/^m=audio (\d+) /m.exec(block)?.[1]);
      if (c.worker === '0') assert.ok(port >= mp && port < half, `worker 0, port ${port}`);
      else assert.ok(port >= half && port <= 65535, `worker 1, port ${port}`);
    }
    assert.deepEqual([...new Set(calls.map((c) => c.worker))].sort(), ['0', '1']);
  },
);
