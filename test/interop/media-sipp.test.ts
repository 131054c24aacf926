/**
 * Issue 18's done-when, against the installed SIPp 3.6.1: SIPp's own uac_pcap (dumped with `sipp -sd` at test
 * time, its captures pointed at Debian's /usr/share/sip-tester) run by sipts against `sipp -sn uas -rtp_echo`,
 * SIPp's uac_pcap against `sipts -sn uas -rtp_echo`, and sipts's streams as tshark decodes them on the wire.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { toneWav } from '../../src/media/tone.js';
import {
  freeUdpRange,
  HEADLESS,
  loopbackBuiltin,
  loopbackScenario,
  sipp,
  sippAvailable,
  sipts,
  startSippUas,
  startSiptsUas,
  tempDir,
} from '../helpers.js';
import { mediaUacScenario } from '../media-helpers.js';
import { captureLoopback } from '../tshark.js';

const SIP_TESTER = '/usr/share/sip-tester';
const CAPTURES = existsSync(join(SIP_TESTER, 'g711a.pcap')) && existsSync(join(SIP_TESTER, 'dtmf_2833_1.pcap'));
const SKIP = !sippAvailable()
  ? 'sipp is not installed'
  : !CAPTURES
    ? `no SIPp sample captures in ${SIP_TESTER} (Debian's sip-tester)`
    : false;
const TSHARK = spawnSync('tshark', ['-v'], { stdio: 'ignore' }).error === undefined && process.getuid?.() === 0;

/** RTP packets of SIPp's g711a.pcap (one stream, PCMA, 30 ms) and dtmf_2833_1.pcap (telephone-event, another SSRC). */
const G711A_PACKETS = 236;
const DTMF_PACKETS = 10;

interface Rtp {
  packetsSent: number;
  packetsReceived: number;
  packetsLost: number;
  jitterP50Ms: number;
  jitterP99Ms: number;
  mos: number;
  echoed: number;
  errors: number;
}
const rtpOf = (file: string): Rtp => (JSON.parse(readFileSync(file, 'utf8')) as { rtp: Rtp }).rtp;
const countersOfJson = (file: string): Record<string, number> =>
  (JSON.parse(readFileSync(file, 'utf8')) as { counters: Record<string, number> }).counters;

test(
  "SIPp's uac_pcap (dumped by sipp -sd, captures from sip-tester) run by sipts against sipp -sn uas -rtp_echo: 0 failed, the echo counted",
  { skip: SKIP, timeout: 120_000 },
  async (t) => {
    const dir = tempDir(t);
    const dump = spawnSync('sipp', ['-sd', 'uac_pcap'], { encoding: 'utf8' });
    // SIPp 3.6.1 exits 99 after -sd (no call processed).
    assert.match(dump.stdout, /<scenario name="UAC with media">/);
    // SIPp's text is read at test time, never committed; only its capture paths are pointed at sip-tester's.
    const text = dump.stdout.replace(/pcap\/(g711a|dtmf_2833_1)\.pcap/g, `${SIP_TESTER}/$1.pcap`);
    assert.match(text, /play_pcap_audio="\/usr\/share\/sip-tester\/g711a.pcap"/);
    writeFileSync(join(dir, 'uac_pcap.xml'), text);
    const sippMp = await freeUdpRange(3);
    const uas = await startSippUas(dir, 'uas', ['-rtp_echo', '-mp', String(sippMp), '-m', '2']);
    t.after(() => uas.child.kill('SIGKILL'));
    // sipts binds each call's [auto_media_port]: -mp + 4 × (call - 1), RTP and RTCP.
    const mp = await freeUdpRange(6);
    const r = await sipts(
      [
        ...loopbackScenario(join(dir, 'uac_pcap.xml'), uas.port),
        '-m',
        '2',
        '-r',
        '5',
        '-mp',
        String(mp),
        '-nostdin',
        '-cp',
        '0',
        '--json',
        join(dir, 'out.json'),
      ],
      90_000,
    ).exited;
    assert.equal(r.code, 0, r.stderr);
    const c = countersOfJson(join(dir, 'out.json'));
    assert.equal(c['SuccessfulCalls'], 2);
    assert.equal(c['FailedCalls'], 0);
    const rtp = rtpOf(join(dir, 'out.json'));
    // Every packet of both captures, for both calls.
    assert.equal(rtp.packetsSent, 2 * (G711A_PACKETS + DTMF_PACKETS));
    // SIPp echoed them back: the audio stream of each call is measured (its first packet is RFC 3550 A.1's probation).
    assert.ok(rtp.packetsReceived >= 2 * (G711A_PACKETS - 2), JSON.stringify(rtp));
    assert.equal(rtp.packetsLost, 0);
    assert.ok(rtp.mos > 4, JSON.stringify(rtp));
    assert.equal(rtp.errors, 0);
  },
);

// -workers 2: the echo's two sockets are the run's, opened once by its main thread, and what they sent back joins
// the workers' rtp figures.
for (const [tag, split] of [
  ['', []],
  [' (-workers 2)', ['-workers', '2']],
] as const)
  test(
    `SIPp's uac_pcap against sipts -sn uas -rtp_echo: SIPp exits 0 and sipts's echo counted what SIPp played${tag}`,
    { skip: SKIP, timeout: 120_000 },
    async (t) => {
      const dir = tempDir(t);
      // SIPp 3.6.1 finds a built-in's captures from its working directory: pcap/ there is sip-tester's.
      mkdirSync(join(dir, 'pcap'));
      for (const f of ['g711a.pcap', 'dtmf_2833_1.pcap']) symlinkSync(join(SIP_TESTER, f), join(dir, 'pcap', f));
      const mp = await freeUdpRange(3);
      const uas = await startSiptsUas(
        [...split, '-rtp_echo', '-mp', String(mp), '-m', '1', '-nostdin', '-cp', '0', '--json', join(dir, 'uas.json')],
        120_000,
        dir,
      );
      t.after(() => uas.child.kill('SIGKILL'));
      const sippMp = await freeUdpRange(6);
      const r = await sipp([...loopbackBuiltin('uac_pcap', uas.port), '-m', '1', '-mp', String(sippMp)], 90_000, dir).exited;
      assert.equal(r.code, 0, r.stderr + r.stdout.slice(-1000));
      const u = await uas.exited;
      assert.equal(u.code, 0, u.stderr);
      const rtp = rtpOf(join(dir, 'uas.json'));
      // SIPp replays every packet of both captures to the port of sipts's SDP (-mp), where the echo is.
      assert.equal(rtp.echoed, G711A_PACKETS + DTMF_PACKETS, JSON.stringify(rtp));
    },
  );

test(
  "sipts -sn uac_pcap runs against sipp -sn uas -rtp_echo: its captures found in sip-tester's directory, 0 failed, the echo counted",
  { skip: SKIP, timeout: 120_000 },
  async (t) => {
    const dir = tempDir(t);
    const sippMp = await freeUdpRange(3);
    const uas = await startSippUas(dir, 'uas', ['-rtp_echo', '-mp', String(sippMp), '-m', '1']);
    t.after(() => uas.child.kill('SIGKILL'));
    const mp = await freeUdpRange(2);
    // An empty working directory: pcap/g711a.pcap is not there, /usr/share/sip-tester/g711a.pcap is.
    const r = await sipts(
      [...loopbackBuiltin('uac_pcap', uas.port), '-m', '1', '-mp', String(mp), '-nostdin', '-cp', '0', '--json', join(dir, 'out.json')],
      90_000,
      dir,
    ).exited;
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /found nowhere/);
    assert.equal(countersOfJson(join(dir, 'out.json'))['FailedCalls'], 0);
    const rtp = rtpOf(join(dir, 'out.json'));
    assert.equal(rtp.packetsSent, G711A_PACKETS + DTMF_PACKETS);
    assert.ok(rtp.packetsReceived >= G711A_PACKETS - 2, JSON.stringify(rtp));
  },
);

test(
  '-rtp_echo on a taken -mp: SIPp 3.6.1 and sipts both exit 254 (cannot bind)',
  { skip: sippAvailable() ? false : 'sipp is not installed', timeout: 60_000 },
  async (t) => {
    const held = dgram.createSocket('udp4');
    await new Promise<void>((r) => held.bind(0, '127.0.0.1', () => r()));
    t.after(() => held.close());
    const port = String(held.address().port);
    const theirs = await sipp(['-sn', 'uas', '-i', '127.0.0.1', '-p', '0', '-rtp_echo', '-mp', port, '-m', '1'], 60_000).exited;
    assert.equal(theirs.code, 254, theirs.stderr + theirs.stdout.slice(-500));
    assert.match(theirs.stderr + theirs.stdout, /Unable to bind audio RTP socket/);
    const ours = await sipts(
      ['-sn', 'uas', '-i', '127.0.0.1', '-p', '0', '-rtp_echo', '-mp', port, '-m', '1', '-nostdin', '-cp', '0'],
      60_000,
    ).exited;
    assert.equal(ours.code, 254, ours.stderr);
  },
);

/** Our own scenario: a call that streams a WAV file twice (rtp_stream loops) to the peer's SDP. */
const STREAM_UAC = mediaUacScenario({ name: 'stream twice', profile: 'RTP/AVP', provisional: true, stream: 'tone.wav,2,8', talkMs: 2500 });

test(
  "tshark decodes sipts's streams as RTP: sequence numbers and timestamps continuous per stream (across loops), a distinct SSRC per call",
  { skip: SKIP !== false ? SKIP : !TSHARK ? 'tshark needs to be installed and run as root' : false, timeout: 120_000 },
  async (t) => {
    const dir = tempDir(t);
    // 400 ms of PCMA: 20 packets of 20 ms, played twice.
    writeFileSync(join(dir, 'tone.wav'), toneWav('alaw', { durationMs: 400 }));
    writeFileSync(join(dir, 'uac.xml'), STREAM_UAC);
    const sippMp = await freeUdpRange(3);
    const uas = await startSippUas(dir, 'uas', ['-rtp_echo', '-mp', String(sippMp), '-m', '3']);
    t.after(() => uas.child.kill('SIGKILL'));
    const mp = await freeUdpRange(10);
    const pcap = join(dir, 'wire.pcap');
    // Only what sipts's calls send: from their [auto_media_port] ports to SIPp's echo.
    const capture = await captureLoopback(`udp src portrange ${mp}-${mp + 9} and udp dst port ${sippMp}`, pcap);
    t.after(() => capture.kill());
    const r = await sipts(
      [
        ...loopbackScenario(join(dir, 'uac.xml'), uas.port),
        '-m',
        '3',
        '-r',
        '10',
        '-mp',
        String(mp),
        '-nostdin',
        '-cp',
        '0',
        '--json',
        join(dir, 'out.json'),
      ],
      60_000,
      dir,
    ).exited;
    assert.equal(r.code, 0, r.stderr);
    await capture.stop();
    const fields = spawnSync(
      'tshark',
      [
        '-r',
        pcap,
        '-d',
        `udp.port==${sippMp},rtp`,
        '-T',
        'fields',
        '-e',
        'udp.srcport',
        '-e',
        'rtp.ssrc',
        '-e',
        'rtp.seq',
        '-e',
        'rtp.timestamp',
        '-e',
        'rtp.p_type',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(fields.status, 0, fields.stderr);
    const rows = fields.stdout
      .trim()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('\t'));
    const streams = new Map<string, { port: string; seq: number[]; ts: number[] }>();
    for (const [port = '', ssrc = '', seq = '', ts = '', pt = ''] of rows) {
      assert.equal(pt, '8', 'PCMA, as rtp_stream="…,8" asks');
      const s = streams.get(ssrc) ?? { port, seq: [], ts: [] };
      s.seq.push(Number(seq));
      s.ts.push(Number(ts));
      streams.set(ssrc, s);
    }
    // Three calls, three SSRCs, each from its own port.
    assert.equal(streams.size, 3, [...streams.keys()].join(' '));
    assert.equal(new Set([...streams.values()].map((s) => s.port)).size, 3);
    for (const [ssrc, s] of streams) {
      assert.equal(s.seq.length, 40, `SSRC ${ssrc}: 2 loops of 20 packets`);
      for (let i = 1; i < s.seq.length; i++) {
        assert.equal(((s.seq[i] ?? 0) - (s.seq[i - 1] ?? 0) + 65536) % 65536, 1, `SSRC ${ssrc}: seq continuous at packet ${i}`);
        assert.equal(
          ((s.ts[i] ?? 0) - (s.ts[i - 1] ?? 0) + 2 ** 32) % 2 ** 32,
          160,
          `SSRC ${ssrc}: timestamp +160 (20 ms at 8 kHz) at packet ${i}`,
        );
      }
    }
  },
);

test(
  "the same -mp as SIPp's uas on one host: sipts's calls skip the pair SIPp's echo holds ([auto_media_port], as SIPp 3.7's rtpstream ports do) and every stream is measured",
  { skip: SKIP, timeout: 120_000 },
  async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'tone.wav'), toneWav('alaw', { durationMs: 400 }));
    writeFileSync(join(dir, 'uac.xml'), STREAM_UAC);
    // SIPp 3.6.1's echo binds -mp and -mp + 2; sipts is given the same -mp (the default 6000 of both, on a free range).
    const mp = await freeUdpRange(12);
    const uas = await startSippUas(dir, 'uas', ['-rtp_echo', '-mp', String(mp), '-m', '3']);
    t.after(() => uas.child.kill('SIGKILL'));
    const r = await sipts(
      [
        ...loopbackScenario(join(dir, 'uac.xml'), uas.port),
        '-m',
        '3',
        '-r',
        '5',
        '-mp',
        String(mp),
        ...HEADLESS,
        '--json',
        join(dir, 'out.json'),
      ],
      90_000,
      dir,
    ).exited;
    assert.equal(r.code, 0, r.stderr);
    const rtp = rtpOf(join(dir, 'out.json'));
    // Before, call 1's [auto_media_port] was -mp itself, held by SIPp: its media failed (rtp.errors 1, nothing measured).
    assert.equal(rtp.errors, 0, JSON.stringify(rtp));
    // 20 packets played twice by each of 3 calls, all echoed and measured (the first of each stream is A.1's probation).
    assert.equal(rtp.packetsSent, 3 * 40);
    assert.ok(rtp.packetsReceived >= 3 * 39, JSON.stringify(rtp));
    assert.equal(rtp.packetsLost, 0);
  },
);
