/**
 * Injection files and -users through the command line, each against SIPp 3.6.1 run the same way on the same files:
 * USER order with -users (which user reads which line, [userid], how many calls are open), RANDOM order (a
 * statistical check whose bounds are worked out below, passed by SIPp's own choice of lines too), -infindex with
 * <lookup>, and -t ui with -ip_field (the source address of each call, seen by the peer).
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { freePort, ROOT, sipp, sippAvailable, sipts, startSippUas, type Exited } from '../helpers.js';

const skip = sippAvailable() ? false : 'sipp is not installed (apt-get install sip-tester)';
const work = mkdtempSync(join(tmpdir(), 'sipts-injection-'));

/** sipts's built-in uac with `headers` in place of its Subject line, and `before` ahead of the INVITE. */
function uacWith(name: string, headers: string, before = ''): string {
  let xml = readFileSync(join(ROOT, 'scenarios/uac.xml'), 'utf8').replace(/Subject: [^\n]*/, headers);
  const at = xml.indexOf('<send');
  xml = `${xml.slice(0, at)}${before}\n  ${xml.slice(at)}`;
  const file = join(work, name);
  writeFileSync(file, xml);
  return file;
}

interface Traced {
  readonly atUs: number;
  readonly sent: boolean;
  readonly text: string;
}

/** The messages of a -trace_msg file (SIPp's layout, which sipts writes too), in order, with their time in µs. */
function traced(file: string): Traced[] {
  return readFileSync(file, 'latin1')
    .split(/^-{47} /m)
    .slice(1)
    .map((block) => {
      const m = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\.(\d{6})\n\w+ message (sent|received)/.exec(block);
      if (m === null) throw new Error(`not a trace block: ${block.slice(0, 200)}`);
      return { atUs: Date.parse(`${m[1]}Z`) * 1000 + Number(m[2]), sent: m[3] === 'sent', text: block };
    });
}

const header = (text: string, name: string): string => new RegExp(`^${name}: (.*)$`, 'm').exec(text)?.[1] ?? '';

/** Each call's first INVITE sent, in the order sent: its Call-ID, time and the values of `names`. */
function invites(trace: readonly Traced[], names: readonly string[]): { callId: string; atUs: number; values: string[] }[] {
  const seen = new Set<string>();
  const out: { callId: string; atUs: number; values: string[] }[] = [];
  for (const t of trace) {
    if (!t.sent || !/\n\nINVITE /.test(t.text)) continue;
    const callId = header(t.text, 'Call-ID');
    if (seen.has(callId)) continue;
    seen.add(callId);
    out.push({ callId, atUs: t.atUs, values: names.map((n) => header(t.text, n)) });
  }
  return out;
}

/** When each call ended: the 200 to its BYE received. */
function ends(trace: readonly Traced[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of trace)
    if (!t.sent && /\n\nSIP\/2\.0 200 /.test(t.text) && /^CSeq: \d+ BYE$/m.test(t.text)) out.set(header(t.text, 'Call-ID'), t.atUs);
  return out;
}

/**
 * Runs sipp, then sipts, with the same arguments (and `-p` each its own port) against `sipp -sn uas`; both must
 * exit 0. SIPp needs -trace_msg besides -message_file; sipts takes either.
 */
async function both(
  t: TestContext,
  name: string,
  args: (target: string, trace: string) => readonly string[],
): Promise<{ sipp: Traced[]; sipts: Traced[] }> {
  const dir = mkdtempSync(join(work, `${name}-`));
  const uas = await startSippUas(dir);
  t.after(() => uas.child.kill('SIGKILL'));
  const check = (who: string, r: Exited): void => assert.equal(r.code, 0, `${who}: ${r.stderr.slice(-1500)}${r.stdout.slice(-1500)}`);
  const sippTrace = join(dir, 'sipp.log');
  const target = `127.0.0.1:${uas.port}`;
  check('sipp', await sipp([...args(target, sippTrace), '-p', String(await freePort())], 60_000, dir).exited);
  const siptsTrace = join(dir, 'sipts.log');
  check('sipts', await sipts([...args(target, siptsTrace), '-p', '0', '-cp', '0'], 60_000, dir).exited);
  return { sipp: traced(sippTrace), sipts: traced(siptsTrace) };
}

test(
  'a USER file with fewer lines than -users: sipts refuses before the first call, SIPp stops when that user comes (both 255)',
  { skip, timeout: 60_000 },
  async () => {
    const file = join(work, 'short-users.csv');
    writeFileSync(file, 'USER\nl0\nl1\n');
    const scenario = uacWith('user-short.xml', 'X-Line: [field0]');
    const port = await freePort();
    const sippRun = await sipp(
      ['-sf', scenario, `127.0.0.1:${port}`, '-i', '127.0.0.1', '-p', String(await freePort()), '-inf', file, '-users', '3', '-m', '3'],
      20_000,
      work,
    ).exited;
    assert.equal(sippRun.code, 255, sippRun.stdout.slice(-500));
    assert.match(sippRun.stdout + sippRun.stderr, /has only 2 lines, yet user 3 was requested/);
    const r = await sipts(
      ['-sf', scenario, `127.0.0.1:${port}`, '-i', '127.0.0.1', '-p', '0', '-inf', file, '-users', '3', '-m', '3'],
      20_000,
    ).exited;
    assert.equal(r.code, 255, r.stderr);
    assert.match(r.stderr, /short-users\.csv:1:1: error: .* has only 2 lines, yet -users 3 asks for user 3/);
  },
);

test(
  'USER order with -users 3: user k reads line k, [userid] 1..3, the first calls take users 3, 2, 1; as SIPp',
  { skip, timeout: 90_000 },
  async (t) => {
    const file = join(work, 'users.csv');
    writeFileSync(file, 'USER\nl0\nl1\nl2\nl3\nl4\n');
    const scenario = uacWith('user.xml', 'X-User: [userid]\nX-Line: [field0]');
    const CALLS = 12;
    const traces = await both(t, 'user', (target, trace) => [
      '-sf',
      scenario,
      target,
      '-i',
      '127.0.0.1',
      '-inf',
      file,
      '-users',
      '3',
      '-m',
      String(CALLS),
      '-d',
      '200',
      '-trace_msg',
      '-message_file',
      trace,
    ]);
    for (const [who, trace] of Object.entries(traces)) {
      const calls = invites(trace, ['X-User', 'X-Line']);
      assert.equal(calls.length, CALLS, who);
      // The first three calls: users 3, 2, 1 (SIPp's free-user list is taken from its end).
      assert.deepEqual(
        calls.slice(0, 3).map((c) => c.values),
        [
          ['3', 'l2'],
          ['2', 'l1'],
          ['1', 'l0'],
        ],
        who,
      );
      for (const c of calls) {
        assert.ok(['1', '2', '3'].includes(c.values[0] ?? ''), `${who}: user ${c.values[0]}`);
        assert.equal(
          c.values[1],
          `l${Number(c.values[0]) - 1}`,
          `${who}: user ${c.values[0]} reads line ${Number(c.values[0]) - 1} (from 0)`,
        );
      }
      // -users 3: three calls open at once, and call k (k > 3) starts only once k - 3 calls have ended.
      const ended = ends(trace);
      assert.equal(ended.size, CALLS, who);
      const endTimes = [...ended.values()].sort((a, b) => a - b);
      const firstEnd = endTimes[0] ?? 0;
      assert.ok(
        calls.slice(0, 3).every((c) => c.atUs <= firstEnd),
        `${who}: the first three calls all start before any ends`,
      );
      calls
        .slice(3)
        .forEach((c, i) => assert.ok(c.atUs >= (endTimes[i] ?? Infinity), `${who}: call ${i + 4} started before ${i + 1} calls had ended`));
      // And never more than three open: a sweep over the starts and ends.
      const events = [...calls.map((c) => [c.atUs, 1] as const), ...calls.map((c) => [ended.get(c.callId) ?? 0, -1] as const)].sort(
        (a, b) => a[0] - b[0] || a[1] - b[1],
      );
      let open = 0;
      let most = 0;
      for (const [, d] of events) {
        open += d;
        most = Math.max(most, open);
      }
      assert.equal(most, 3, who);
    }
  },
);

test(
  "RANDOM order: every line comes, lines repeat, and the order is not sequential; SIPp's choice passes the same bounds",
  { skip, timeout: 90_000 },
  async (t) => {
    const file = join(work, 'random.csv');
    writeFileSync(file, 'RANDOM\nl0\nl1\nl2\nl3\n');
    const scenario = uacWith('random.xml', 'X-Line: [field0]');
    const N = 400;
    const traces = await both(t, 'random', (target, trace) => [
      '-sf',
      scenario,
      target,
      '-i',
      '127.0.0.1',
      '-inf',
      file,
      '-r',
      '400',
      '-m',
      String(N),
      '-trace_msg',
      '-message_file',
      trace,
    ]);
    for (const [who, trace] of Object.entries(traces)) {
      const lines = invites(trace, ['X-Line']).map((c) => Number(c.values[0]?.slice(1)));
      assert.equal(lines.length, N, who);
      // Each of 4 lines is drawn 400 × 1/4 = 100 times on average, standard deviation √(400 · 1/4 · 3/4) = 8.7:
      // [50, 150] is ±5.8 deviations, missed by chance about once in 10^8 runs.
      for (let l = 0; l < 4; l++) {
        const n = lines.filter((x) => x === l).length;
        assert.ok(n >= 50 && n <= 150, `${who}: line ${l} drawn ${n} times of ${N}`);
      }
      // Of the 399 pairs of consecutive calls, a quarter on average (99.75, deviation 8.6) repeat the line and a
      // quarter take the next line: SEQUENTIAL would give 0 repeats and 399 successors.
      const pairs = lines.slice(1).map((x, i) => [lines[i] ?? -1, x] as const);
      const repeats = pairs.filter(([a, b]) => a === b).length;
      const successors = pairs.filter(([a, b]) => b === (a + 1) % 4).length;
      assert.ok(repeats >= 50 && repeats <= 150, `${who}: ${repeats} repeats`);
      assert.ok(successors >= 50 && successors <= 150, `${who}: ${successors} successors`);
    }
  },
);

test(
  "-infindex FILE FIELD from the command line: <lookup> finds a key's line (the last of a repeated key), -1 when absent; as SIPp",
  { skip, timeout: 90_000 },
  async (t) => {
    const file = join(work, 'db.csv');
    writeFileSync(file, 'SEQUENTIAL\nalice;a-pw\nbob;b-pw\ncarol;c-pw\nbob;b2-pw\n');
    const scenario = uacWith(
      'lookup.xml',
      'X-Found: [field1 file="db.csv" line="[$w]"] [$w] [$a] [$n] [field1 file="db.csv" line="[$a]"]',
      '<nop><action><lookup assign_to="w" file="db.csv" key="[who]"/><lookup assign_to="a" file="db.csv" key="alice"/><lookup assign_to="n" file="db.csv" key="nobody"/></action></nop>',
    );
    // [$a], line 0, renders as nothing in SIPp (a number 0 is not "set"), and line="" reads line 0.
    // SIPp names an -inf file by its base name: -infindex with the path given to -inf is an error there.
    for (const [who, expected] of [
      ['carol', 'c-pw 2.000000  -1.000000 a-pw'],
      ['bob', 'b2-pw 3.000000  -1.000000 a-pw'],
    ] as const) {
      const traces = await both(t, `lookup-${who}`, (target, trace) => [
        '-sf',
        scenario,
        target,
        '-i',
        '127.0.0.1',
        '-inf',
        file,
        '-infindex',
        'db.csv',
        '0',
        '-key',
        'who',
        who,
        '-m',
        '2',
        '-trace_msg',
        '-message_file',
        trace,
      ]);
      const found = (trace: Traced[]): string[] => invites(trace, ['X-Found']).map((c) => c.values[0] ?? '');
      assert.deepEqual(found(traces.sipp), [expected, expected], 'SIPp, the oracle, as this test expects');
      assert.deepEqual(found(traces.sipts), found(traces.sipp), `-key who ${who}`);
    }
  },
);

test(
  '-t ui -ip_field 1: each call sends from the address in field 1 of its line, from the -p port; as SIPp',
  { skip, timeout: 60_000 },
  async (t) => {
    const dir = mkdtempSync(join(work, 'ui-'));
    const file = join(dir, 'ips.csv');
    writeFileSync(file, 'SEQUENTIAL\na;127.0.0.2\nb;127.0.0.3\nc;127.0.0.4\n');
    const scenario = join(dir, 'message.xml');
    writeFileSync(
      scenario,
      `<?xml version="1.0"?>
<scenario name="message">
  <send><![CDATA[
      MESSAGE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:a@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 MESSAGE
      X-Line: [field0]
      Content-Length: 0

  ]]></send>
</scenario>
`,
    );
    // The peer notes where each MESSAGE came from; it does not answer (the scenario waits for nothing).
    const peer = dgram.createSocket('udp4');
    t.after(() => peer.close());
    const got: string[] = [];
    peer.on('message', (b, from) =>
      got.push(`${header(b.toString('latin1').replace(/\r/g, ''), 'X-Line')} from ${from.address}:${from.port}`),
    );
    await new Promise<void>((r) => peer.bind(0, '127.0.0.1', () => r()));
    const target = `127.0.0.1:${peer.address().port}`;
    const seen: Record<string, string[]> = {};
    for (const [who, start] of [
      ['sipp', sipp],
      ['sipts', sipts],
    ] as const) {
      const port = await freePort();
      // SIPp refuses -t ui while -max_socket (50,000 by default) exceeds the open-file limit.
      const r = await start(
        [
          '-sf',
          scenario,
          target,
          '-t',
          'ui',
          '-inf',
          file,
          '-ip_field',
          '1',
          '-max_socket',
          '100',
          '-i',
          '127.0.0.1',
          '-p',
          String(port),
          '-r',
          '100',
          '-m',
          '6',
          ...(who === 'sipts' ? ['-cp', '0'] : []),
        ],
        30_000,
        dir,
      ).exited;
      assert.equal(r.code, 0, `${who}: ${r.stderr.slice(-1500)}${r.stdout.slice(-1500)}`);
      for (let i = 0; i < 100 && got.length < 6; i++) await new Promise((res) => setTimeout(res, 20));
      seen[who] = got.splice(0).map((g) => g.replace(`:${port}`, ':<-p>'));
    }
    const expected = ['a', 'b', 'c', 'a', 'b', 'c'].map((l, i) => `${l} from 127.0.0.${2 + (i % 3)}:<-p>`);
    assert.deepEqual(seen['sipp'], expected, 'SIPp, the oracle, as this test expects');
    assert.deepEqual(seen['sipts'], expected);
  },
);

test(
  '"#" makes a comment only as a line\'s first character; inside a field it is text, and an empty last field is empty; as SIPp',
  { skip, timeout: 90_000 },
  async (t) => {
    const file = join(work, 'hash.csv');
    writeFileSync(file, 'SEQUENTIAL\n# a comment;with;fields\na#1;x;\n#b;y\nc;z#;w\n');
    const scenario = uacWith('hash.xml', 'X-Line: <[field0]|[field1]|[field2]>');
    const traces = await both(t, 'hash', (target, trace) => [
      '-sf',
      scenario,
      target,
      '-i',
      '127.0.0.1',
      '-inf',
      file,
      '-m',
      '3',
      '-trace_msg',
      '-message_file',
      trace,
    ]);
    for (const [who, trace] of Object.entries(traces)) {
      assert.deepEqual(
        invites(trace, ['X-Line']).map((c) => c.values[0]),
        ['<a#1|x|>', '<c|z#|w>', '<a#1|x|>'],
        who,
      );
    }
  },
);
