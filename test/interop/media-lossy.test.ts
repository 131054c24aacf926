/**
 * Issue 18: "Through the lossy relay set to 10% loss, the loss reported is 10% ± 1." End to end from the command
 * line: sipts places calls that stream G.711 (test/fixtures/rtp-stream-uac.xml) to SIPp answering with
 * `-rtp_echo`; SIPp's SDP names a relay (our own, below) as its media address, and the relay drops 10% of the
 * datagrams on their way to SIPp's echo, at random (a seeded xorshift), so what comes back to each call's port
 * lacks the packets the relay dropped. The relay counts what it dropped; sipts's --json must report that loss
 * (RFC 3550 A.3: expected minus received), 10% ± 1, and within half a point of what the relay actually did.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeG711 } from '../../src/media/g711.js';
import { toneSamples } from '../../src/media/tone.js';
import {
  ROOT,
  freePort,
  freeUdpRange,
  loopbackScenario,
  sippAvailable,
  sipts,
  startSippScenario,
  tempDir,
  xorshift32,
} from '../helpers.js';
import { mediaUasScenario } from '../media-helpers.js';

const skip = sippAvailable() ? false : 'sipp is not installed (apt-get install sip-tester)';

/** SIPp's side (our own text): answers with an SDP whose media address is the relay ([relay_port], from -key). */
const UAS_XML = mediaUasScenario({
  name: 'answer, media through a relay',
  sdp: ['v=0', 'o=echo 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio [relay_port] RTP/AVP 0'],
});

interface MediaRelay {
  readonly port: number;
  readonly forwarded: number;
  readonly dropped: number;
  close(): void;
}

/**
 * A UDP relay on loopback for RTP: a packet from a call goes on to `echoPort` unless the dice drop it (lossPercent,
 * seeded); what the echo sends back goes to the call it came from (by SSRC, RTP header bytes 8-11), untouched.
 */
async function mediaRelay(echoPort: number, lossPercent: number, seed: number): Promise<MediaRelay> {
  const random = xorshift32(seed);
  const socket = dgram.createSocket('udp4');
  const callOf = new Map<number, number>();
  const counts = { forwarded: 0, dropped: 0 };
  socket.on('message', (m, from) => {
    if (m.length < 12) return;
    const ssrc = m.readUInt32BE(8);
    if (from.port === echoPort) {
      const back = callOf.get(ssrc);
      if (back !== undefined) socket.send(m, back, '127.0.0.1');
      return;
    }
    callOf.set(ssrc, from.port);
    if (random() * 100 < lossPercent) counts.dropped++;
    else {
      counts.forwarded++;
      socket.send(m, echoPort, '127.0.0.1');
    }
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  // 50,000 packets in flight a second at most here; the default buffers would drop some, and count as loss.
  socket.setRecvBufferSize(4 << 20);
  socket.setSendBufferSize(4 << 20);
  const port = socket.address().port;
  return {
    port,
    get forwarded() {
      return counts.forwarded;
    },
    get dropped() {
      return counts.dropped;
    },
    close: () => socket.close(),
  };
}

test(
  'issue 18: through a relay dropping 10% of the RTP at random, sipts reports 10% ± 1 lost, as many as the relay dropped (SIPp echoing)',
  { skip, timeout: 120_000 },
  async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'tone.ulaw'), encodeG711(toneSamples({ durationMs: 1000 }), 'ulaw'));
    copyFileSync(join(ROOT, 'test/fixtures/rtp-stream-uac.xml'), join(dir, 'uac.xml'));
    writeFileSync(join(dir, 'uas.xml'), UAS_XML);
    const echoPort = await freePort();
    const relay = await mediaRelay(echoPort, 10, 0x5eed18);
    t.after(() => relay.close());
    const uas = await startSippScenario(
      join(dir, 'uas.xml'),
      ['-rtp_echo', '-mp', String(echoPort), '-key', 'relay_port', String(relay.port)],
      dir,
    );
    t.after(() => uas.child.kill('SIGKILL'));
    // 40 calls of 4 s: 8,000 packets, so the binomial spread of 10% loss (σ ≈ 0.34 point) stays well inside ± 1.
    const json = join(dir, 'run.json');
    // [rtpstream_audio_port]: call n streams from and listens on -mp + 4 × (n − 1), a block of its own.
    const mp = await freeUdpRange(4 * 40);
    const r = await sipts(
      [
        ...loopbackScenario(join(dir, 'uac.xml'), uas.port),
        '-mp',
        String(mp),
        '-m',
        '40',
        '-l',
        '40',
        '-r',
        '40',
        '-d',
        '4000',
        '--json',
        json,
      ],
      90_000,
      dir,
    ).exited;
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const rtp = (JSON.parse(readFileSync(json, 'utf8')) as { rtp: { packetsSent: number; packetsReceived: number; packetsLost: number } })
      .rtp;
    const reported = (100 * rtp.packetsLost) / (rtp.packetsReceived + rtp.packetsLost);
    const actual = (100 * relay.dropped) / (relay.dropped + relay.forwarded);
    const seen = `reported ${reported.toFixed(2)}%, the relay dropped ${actual.toFixed(2)}% (${relay.dropped} of ${relay.dropped + relay.forwarded}); ${JSON.stringify(rtp)}`;
    t.diagnostic(seen);
    assert.ok(rtp.packetsSent >= 40 * 190, seen);
    assert.ok(Math.abs(reported - 10) <= 1, seen);
    assert.ok(Math.abs(reported - actual) <= 0.5, seen);
  },
);

test(
  "[rtpstream_audio_port] is the call's own port (as SIPp 3.7): SIPp answering with its own rtp_stream sends to the port in sipts's SDP, and sipts measures it",
  { skip, timeout: 90_000 },
  async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'tone.ulaw'), encodeG711(toneSamples({ durationMs: 1000 }), 'ulaw'));
    copyFileSync(join(ROOT, 'test/fixtures/rtp-stream-uac.xml'), join(dir, 'uac.xml'));
    // SIPp streams the tone from its own media socket (-mp) to the c=/m= of the INVITE it received: not back
    // to where sipts's packets come from, so only a call listening where its SDP said can count them.
    writeFileSync(
      join(dir, 'uas.xml'),
      mediaUasScenario({
        name: 'answer and stream',
        sdp: ['v=0', 'o=s 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio [media_port] RTP/AVP 0'],
        onAck: '<action><exec rtp_stream="tone.ulaw,-1,0"/></action>',
      }),
    );
    const sippMp = await freeUdpRange(4);
    const uas = await startSippScenario(join(dir, 'uas.xml'), ['-mp', String(sippMp)], dir);
    t.after(() => uas.child.kill('SIGKILL'));
    const mp = await freeUdpRange(4 * 3);
    const json = join(dir, 'run.json');
    const r = await sipts(
      [
        ...loopbackScenario(join(dir, 'uac.xml'), uas.port),
        '-mp',
        String(mp),
        '-m',
        '3',
        '-l',
        '3',
        '-r',
        '10',
        '-d',
        '3000',
        '--json',
        json,
      ],
      60_000,
      dir,
    ).exited;
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const rtp = (JSON.parse(readFileSync(json, 'utf8')) as { rtp: { packetsReceived: number; packetsLost: number } }).rtp;
    // 3 calls of about 3 s of SIPp's 20-ms packets: some 150 each, less what went before the ACK or after the BYE.
    assert.ok(rtp.packetsReceived >= 3 * 100, JSON.stringify(rtp));
    assert.equal(rtp.packetsLost, 0, JSON.stringify(rtp));
  },
);
