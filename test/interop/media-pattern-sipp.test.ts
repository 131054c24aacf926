/**
 * SIPp 3.7's generated patterns, on the wire against the installed SIPp 3.6.1 echoing (`sipp -sn uas -rtp_echo`):
 * sipts runs a calling scenario of our own doing rtp_stream="apattern,1,0,PCMU/8000", then "pauseapattern",
 * then "resumeapattern". tshark, independent of sipts, decodes both directions: PT 0, 160-octet payloads of the
 * pattern's octet, timestamps +160 every 20 ms (PCMU at 8 kHz, RFC 3551 §4.5.14), nothing while held, and all
 * of it echoed back; sipts's --json rtp object measures the echo (no loss, jitter not inflated by the hold).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { freeUdpRange, loopbackScenario, sippAvailable, sipts, startSippUas, tempDir } from '../helpers.js';
import { mediaUacScenario } from '../media-helpers.js';
import { asRtp, captureLoopback, noLiveCapture, tsharkFields } from '../tshark.js';

const SKIP = !sippAvailable() ? 'sipp is not installed' : noLiveCapture;

const TALK_MS = 1000;
const HOLD_MS = 1000;
const RESUMED_MS = 600;

const UAC = mediaUacScenario({
  name: 'audio pattern',
  profile: 'RTP/AVP',
  payloadType: 0,
  provisional: true,
  stream: 'apattern,1,0,PCMU/8000',
  talkMs: TALK_MS,
  then: [
    ['pauseapattern', HOLD_MS],
    ['resumeapattern', RESUMED_MS],
  ],
});

interface Rtp {
  packetsSent: number;
  packetsReceived: number;
  packetsLost: number;
  jitterP99Ms: number;
  errors: number;
}

test(
  'apattern against sipp -sn uas -rtp_echo: PT 0, 160 octets of 0xAA, +160 per 20 ms on the wire both ways; pauseapattern stops it, resumeapattern goes on',
  { skip: SKIP, timeout: 120_000 },
  async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'uac.xml'), UAC);
    const sippMp = await freeUdpRange(3);
    const uas = await startSippUas(dir, 'uas', ['-rtp_echo', '-mp', String(sippMp), '-m', '1']);
    t.after(() => uas.child.kill('SIGKILL'));
    const mp = await freeUdpRange(2);
    const pcap = join(dir, 'wire.pcap');
    // What goes between sipts's call ([auto_media_port] = -mp) and SIPp's audio echo, both ways.
    const capture = await captureLoopback(`udp port ${sippMp} and udp port ${mp}`, pcap);
    t.after(() => capture.kill());
    const r = await sipts(
      [
        ...loopbackScenario(join(dir, 'uac.xml'), uas.port),
        '-m',
        '1',
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

    const rows = tsharkFields(
      pcap,
      ['frame.time_relative', 'udp.srcport', 'rtp.ssrc', 'rtp.seq', 'rtp.timestamp', 'rtp.p_type', 'rtp.marker', 'rtp.payload'],
      asRtp(sippMp),
    ).map(([time = '', src = '', ssrc = '', seq = '', ts = '', pt = '', marker = '', payload = '']) => ({
      timeMs: 1000 * Number(time),
      out: Number(src) === mp,
      ssrc,
      seq: Number(seq),
      ts: Number(ts),
      pt,
      marker,
      payload: payload.replace(/:/g, ''),
    }));
    const out = rows.filter((p) => p.out);
    const back = rows.filter((p) => !p.out);
    // About 50 packets in the first second and 30 after the hold (one stream: the resumed one is the same).
    assert.ok(out.length >= 70 && out.length <= 90, `${out.length} packets sent`);
    assert.equal(new Set(out.map((p) => p.ssrc)).size, 1);
    for (const p of out) {
      assert.equal(p.pt, '0', 'PCMU');
      assert.equal(p.marker, '0', 'no marker bit (SIPp sets none)');
      assert.equal(p.payload, 'aa'.repeat(160), 'pattern 1: 160 octets of 0xAA');
    }
    // One hole in the stream, as long as the hold; elsewhere a packet every 20 ms.
    const gaps = out.slice(1).map((p, i) => p.timeMs - (out[i]?.timeMs ?? 0));
    const holes = gaps.flatMap((g, i) => (g > 200 ? [i] : []));
    assert.equal(holes.length, 1, `gaps over 200 ms: ${holes.map((i) => gaps[i]?.toFixed(0)).join(', ')}`);
    const hole = holes[0] ?? -1;
    assert.ok(Math.abs((gaps[hole] ?? 0) - HOLD_MS) <= 100, `the hold is ${gaps[hole]?.toFixed(0)} ms on the wire`);
    const before = out.slice(0, hole + 1);
    const after = out.slice(hole + 1);
    assert.ok(Math.abs(before.length - TALK_MS / 20) <= 3, `${before.length} packets before the hold`);
    assert.ok(Math.abs(after.length - RESUMED_MS / 20) <= 3, `${after.length} packets after it`);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const steady = gaps.filter((_, i) => i !== hole);
    assert.ok(Math.abs(mean(steady) - 20) < 1, `mean spacing ${mean(steady).toFixed(2)} ms`);
    for (let i = 1; i < out.length; i++) {
      const prev = out[i - 1];
      const p = out[i];
      assert.ok(prev !== undefined && p !== undefined);
      assert.equal((p.seq - prev.seq + 65536) % 65536, 1, `seq +1 at packet ${i}, across the hold too`);
      const step = (p.ts - prev.ts + 2 ** 32) % 2 ** 32;
      if (i - 1 === hole) {
        // The timestamp moved on with the time held (8 units a ms), within two packets.
        assert.ok(
          Math.abs(step - 8 * (p.timeMs - prev.timeMs)) <= 320,
          `timestamp +${step} across a ${(p.timeMs - prev.timeMs).toFixed(0)}-ms hold`,
        );
      } else assert.equal(step, 160, `timestamp +160 at packet ${i}`);
    }
    // SIPp echoed every packet back, as sent.
    assert.equal(back.length, out.length);
    assert.ok(back.every((p) => p.ssrc === out[0]?.ssrc && p.payload === 'aa'.repeat(160)));

    const rtp = (JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { rtp: Rtp }).rtp;
    assert.equal(rtp.packetsSent, out.length);
    // RFC 3550 A.1: the first packet is the source's probation.
    assert.ok(rtp.packetsReceived >= out.length - 2, JSON.stringify(rtp));
    assert.equal(rtp.packetsLost, 0);
    assert.equal(rtp.errors, 0);
    // A hold counted as delay would put a second's transit change into the jitter (1000 / 16 = 62 ms).
    assert.ok(rtp.jitterP99Ms < 20, JSON.stringify(rtp));
  },
);
