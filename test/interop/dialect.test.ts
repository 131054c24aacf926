/**
 * The dialect of issue 16 against SIPp 3.6.1: our own UAC and UAS scenarios (test/fixtures/dialect-*.xml) use
 * <init>, regexp_match, condexec, advance_state, check_it, <pause variable> and the new keywords. They run
 * both ways, sipts UAC → SIPp UAS and SIPp UAC → sipts UAS; every call succeeds, and what sipts sends is
 * what SIPp sends in its place, message for message (-trace_msg of both, pid and ports named).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, ROOT, sipp, sippAvailable, sipts, startSippScenario, startSiptsUas, waitForUdpBound, type Exited } from '../helpers.js';
import { defaultBye } from '../scenario-snippets.js';

const skip = sippAvailable() ? false : 'sipp is not installed (apt-get install sip-tester)';
const UAC = join(ROOT, 'test/fixtures/dialect-uac.xml');
const UAS = join(ROOT, 'test/fixtures/dialect-uas.xml');

/** The messages a -trace_msg file says were sent, with the ports and pids of the run named, and SIPp's padded [len] unpadded. */
function sentMessages(file: string, names: Readonly<Record<string, string>>): string[] {
  const blocks = readFileSync(file, 'latin1').split(/^-{20,} .*\n/m);
  return blocks
    .filter((b) => /^\w+ message sent/.test(b))
    .map((b) => {
      let m = b.replace(/^.*\n\n/, '').replace(/\n+$/, '');
      for (const [value, name] of Object.entries(names)) m = m.split(value).join(name);
      return m.replace(/^Content-Length: +/m, 'Content-Length: ');
    });
}

/** Starts SIPp on our UAS scenario on a free port. */
async function startSippOn(work: string, extra: readonly string[]): Promise<{ port: number; exited: Promise<Exited>; kill: () => void }> {
  const uas = await startSippScenario(UAS, extra, work);
  return { port: uas.port, exited: uas.exited, kill: () => uas.child.kill('SIGKILL') };
}

test(
  'dialect scenarios: sipts UAC → SIPp UAS and SIPp UAC → sipts UAS succeed, and each tool sends what the other sends',
  { skip, timeout: 90_000 },
  async (t) => {
    const work = mkdtempSync(join(tmpdir(), 'sipts-dialect-'));
    writeFileSync(join(work, 'users.csv'), 'SEQUENTIAL\nalice;secret\n');
    writeFileSync(join(work, 'extra.txt'), 'X-Extra: from-file\n');
    // -mp: SIPp binds its media port (and moves on when it is taken); [auto_media_port] must start from the same one.
    const uacMedia = String(await freePort());
    const uasMedia = String(await freePort());

    // Run 1: sipts places the call, SIPp answers.
    const sippSide = await startSippOn(work, ['-m', '1', '-mp', uasMedia, '-trace_msg', '-message_file', join(work, 'r1-uas.log')]);
    t.after(sippSide.kill);
    const uac1Port = await freePort();
    const r1 = await sipts(
      [
        '-sf',
        UAC,
        '-inf',
        'users.csv',
        '-m',
        '1',
        '-i',
        '127.0.0.1',
        '-p',
        String(uac1Port),
        '-mp',
        uacMedia,
        `127.0.0.1:${sippSide.port}`,
        '-trace_msg',
        '-message_file',
        join(work, 'r1-uac.log'),
      ],
      30_000,
      work,
    ).exited;
    assert.equal(r1.code, 0, r1.stderr + r1.stdout);
    const s1 = await sippSide.exited;
    assert.equal(s1.code, 0, s1.stdout.slice(-2000));

    // Run 2: SIPp places the call, sipts answers.
    const siptsSide = await startSiptsUas(
      ['-sf', UAS, '-m', '1', '-mp', uasMedia, '-trace_msg', '-message_file', join(work, 'r2-uas.log')],
      60_000,
    );
    t.after(() => siptsSide.child.kill('SIGKILL'));
    const uac2Port = await freePort();
    const r2 = await sipp(
      [
        '-sf',
        UAC,
        '-inf',
        'users.csv',
        '-m',
        '1',
        '-i',
        '127.0.0.1',
        '-p',
        String(uac2Port),
        '-mp',
        uacMedia,
        `127.0.0.1:${siptsSide.port}`,
        '-trace_msg',
        '-message_file',
        join(work, 'r2-uac.log'),
      ],
      30_000,
      work,
    ).exited;
    assert.equal(r2.code, 0, r2.stdout.slice(-2000));
    const s2 = await siptsSide.exited;
    assert.equal(s2.code, 0, s2.stderr + s2.stdout);
    assert.match(s2.stdout, /Successful\s*│\s*1\s/);

    // The UAC's messages: sipts's (run 1) and SIPp's (run 2). The pid shows in Call-IDs and branches.
    const uacNames = (pid: string, uacPort: number, uasPort: number): Record<string, string> => ({
      [`${uacPort}`]: 'UACPORT',
      [`${uasPort}`]: 'UASPORT',
      [`-${pid}`]: '-PID',
    });
    const pidOf = (file: string): string => /Call-ID: \d+-(\d+)@/.exec(readFileSync(file, 'latin1'))?.[1] ?? 'none';
    const siptsUac = sentMessages(join(work, 'r1-uac.log'), uacNames(pidOf(join(work, 'r1-uac.log')), uac1Port, sippSide.port));
    const sippUac = sentMessages(join(work, 'r2-uac.log'), uacNames(pidOf(join(work, 'r2-uac.log')), uac2Port, siptsSide.port));
    assert.deepEqual(
      siptsUac.map((m) => m.split(' ')[0]),
      ['INVITE', 'ACK', 'BYE'],
    );
    assert.deepEqual(siptsUac, sippUac);
    // What the features put there, as SIPp put it: the init call took call number 1, so this call is number 2.
    const invite = siptsUac[0] ?? '';
    assert.match(invite, /\r\nX-Init: init-value\r\n/);
    assert.match(invite, /\r\nX-Index: 0 z9hG4bK-PID-2-2\r\n/);
    assert.match(invite, /\r\nFrom: sipp <sip:alice@/);
    assert.match(invite, new RegExp(`\\r\\nm=audio ${Number(uacMedia) + 4} RTP/AVP 0\\r\\nX-Extra: from-file\\n`));
    assert.match(siptsUac[1] ?? '', /\r\nX-Rings: 2\.000000\r\n/);
    assert.match(siptsUac[2] ?? '', /\r\nX-Never: \|\r\n/);

    // The UAS's messages: SIPp's (run 1) and sipts's (run 2), 100, two 180 (one skipped by condexec_inverse), 200, 200.
    const uasNames = (pid: string, uacPort: number, uasPort: number): Record<string, string> => ({ ...uacNames(pid, uacPort, uasPort) });
    const sippUas = sentMessages(join(work, 'r1-uas.log'), uasNames(pidOf(join(work, 'r1-uac.log')), uac1Port, sippSide.port));
    const siptsUas = sentMessages(join(work, 'r2-uas.log'), uasNames(pidOf(join(work, 'r2-uac.log')), uac2Port, siptsSide.port));
    assert.deepEqual(
      siptsUas.map((m) => m.split('\r\n')[0]),
      ['SIP/2.0 100 Trying', 'SIP/2.0 180 Ringing', 'SIP/2.0 180 Ringing', 'SIP/2.0 200 OK', 'SIP/2.0 200 OK'],
    );
    assert.deepEqual(siptsUas, sippUas);
    assert.match(siptsUas[1] ?? '', /\r\nX-Greeting: hello\r\nX-Index: 2\r\n/);
    assert.match(siptsUas[3] ?? '', new RegExp(`\\r\\nm=audio ${Number(uasMedia) + 4 + 2} RTP/AVP 0\\r`));
    assert.match(siptsUas[4] ?? '', /\r\nX-Last: 12\r\n/);
  },
);

test(
  '<DefaultMessage id="bye">: after a receive timeout sipts and SIPp hang up with the scenario\'s BYE, the same one',
  { skip, timeout: 60_000 },
  async (t) => {
    const work = mkdtempSync(join(tmpdir(), 'sipts-defaultmsg-'));
    // A UAC that times out waiting for a BYE after the 2xx: the "bye" behaviour hangs up with <DefaultMessage id="bye">.
    const scenario = join(work, 'uac-bye.xml');
    writeFileSync(
      scenario,
      `<?xml version="1.0"?>
<scenario name="default bye">
  ${defaultBye('from-the-scenario')}
  <send retrans="500"><![CDATA[
    INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
    Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
    From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[call_number]
    To: <sip:[service]@[remote_ip]:[remote_port]>
    Call-ID: [call_id]
    CSeq: [cseq] INVITE
    Contact: sip:sipp@[local_ip]:[local_port]
    Content-Length: 0
  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rrs="true"/>
  <send><![CDATA[
    ACK [next_url] SIP/2.0
    Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
    From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[call_number]
    To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
    Call-ID: [call_id]
    CSeq: [cseq] ACK
    Content-Length: 0
  ]]></send>
  <recv request="BYE" timeout="300"/>
</scenario>
`,
    );
    const byes: string[] = [];
    for (const tool of ['sipts', 'sipp'] as const) {
      // SIPp's own uas answers and waits for a BYE; -d keeps it from hanging up first.
      const uasPort = await freePort();
      const uas = sipp(
        ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(uasPort), '-m', '1', '-trace_msg', '-message_file', join(work, `${tool}-uas.log`)],
        30_000,
        work,
      );
      t.after(() => uas.child.kill('SIGKILL'));
      await waitForUdpBound(uasPort);
      const uacPort = await freePort();
      const args = [
        '-sf',
        scenario,
        '-m',
        '1',
        '-i',
        '127.0.0.1',
        '-p',
        String(uacPort),
        `127.0.0.1:${uasPort}`,
        '-trace_msg',
        '-message_file',
        join(work, `${tool}-uac.log`),
      ];
      const r = await (tool === 'sipts' ? sipts(args, 30_000, work) : sipp(args, 30_000, work)).exited;
      assert.equal(r.code, 1, `${tool}: the call fails on its receive timeout\n${r.stderr}${r.stdout.slice(-1500)}`);
      const u = await uas.exited;
      assert.equal(u.code, 0, `sipp uas: the BYE ended its call\n${u.stdout.slice(-1500)}`);
      const log = join(work, `${tool}-uac.log`);
      const pid = /Call-ID: \d+-(\d+)@/.exec(readFileSync(log, 'latin1'))?.[1] ?? 'none';
      const bye = sentMessages(log, { [`${uacPort}`]: 'UACPORT', [`${uasPort}`]: 'UASPORT', [`-${pid}`]: '-PID' }).find((m) =>
        m.startsWith('BYE'),
      );
      assert.ok(bye !== undefined, `${tool} sent no BYE`);
      // The To tag is the SIPp uas's, made of its pid.
      byes.push(bye.replace(/;tag=\d+SIPpTag/, ';tag=UASPIDSIPpTag'));
    }
    assert.match(byes[0] ?? '', /\r\nX-Default: from-the-scenario\r\nContent-Length: 0\r/);
    assert.match(byes[0] ?? '', /\r\nCSeq: 2 BYE\r\n/);
    assert.equal(byes[0], byes[1]);
  },
);
