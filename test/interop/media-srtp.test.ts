/**
 * SRTP (issue 18) against an independent implementation: libsrtp 2, through Debian's python3-pylibsrtp
 * (test/interop/srtp-peer.py, run by /usr/bin/python3, where apt installs it). One call of a sipts UAC whose
 * INVITE carries SIPp 3.7's crypto keywords; this test answers it as the UAS over a raw socket, with an SDP
 * whose c=/m= point at the Python peer and whose a=crypto: line gives the peer's own key. Then:
 * - what sipts's rtp_stream sends opens under the key sipts announced, with libsrtp: every packet, one SSRC,
 *   sequence numbers continuous, as many as sipts says it sent;
 * - what libsrtp protects with the peer's key (its sequence numbers crossing 65535 -> 0, so the rollover
 *   counter moves) sipts counts as received, none lost, no authentication failure.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { toneWav } from '../../src/media/tone.js';
import { freeUdpRange, loopbackScenario, RawPeer, responseTo, ROOT, sipts } from '../helpers.js';
import { mediaUacScenario, SRTP_OFFER } from '../media-helpers.js';

const PYTHON = '/usr/bin/python3';
const PEER = join(ROOT, 'test/interop/srtp-peer.py');
const SKIP =
  spawnSync(PYTHON, ['-c', 'import pylibsrtp'], { stdio: 'ignore' }).status === 0
    ? false
    : `${PYTHON} cannot import pylibsrtp (apt-get install python3-pylibsrtp; test/peers.sh installs it as root)`;

/** Packets the Python peer sends, from sequence number 65500: the 37th is 0 (ROC 1). */
const PEER_PACKETS = 100;
const PEER_FIRST_SEQ = 65500;
/** sipts's stream: 1 s of PCMA, 50 packets of 20 ms. */
const STREAM_PACKETS = 50;

const UAC = mediaUacScenario({ name: 'srtp uac', profile: 'RTP/SAVP', attributes: SRTP_OFFER, stream: 'tone.wav,1,8', talkMs: 2000 });

interface PeerReport {
  received: number;
  failures: number;
  ssrcs: number;
  gaps: number;
  payloadOctets: number;
  sent: number;
}

interface Rtp {
  packetsSent: number;
  packetsReceived: number;
  packetsLost: number;
  srtpSent: number;
  srtpAuthFailures: number;
}

/** One SRTP call both ways, run once for the two tests below. */
let exchange: Promise<{ peer: PeerReport; rtp: Rtp; sent: string; stderr: string }> | undefined;

function runExchange(): Promise<{ peer: PeerReport; rtp: Rtp; sent: string; stderr: string }> {
  exchange ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipts-srtp-'));
    try {
      writeFileSync(join(dir, 'tone.wav'), toneWav('alaw', { durationMs: 20 * STREAM_PACKETS }));
      writeFileSync(join(dir, 'uac.xml'), UAC);
      const uas = new RawPeer();
      const uasPort = await uas.open();
      const json = join(dir, 'out.json');
      const uac = sipts(
        [...loopbackScenario(join(dir, 'uac.xml'), uasPort), '-mp', String(await freeUdpRange(2)), '-m', '1', '--json', json],
        60_000,
        dir,
      );
      try {
        const invite = await uas.next(10_000);
        // The key of tag 1 (AES_CM_128_HMAC_SHA1_80): what sipts's packets must open with.
        const offered = /a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:(\S+)\r\n/.exec(invite)?.[1];
        assert.ok(offered !== undefined, `the INVITE offers a key under tag 1:\n${invite}`);
        const answerKey = randomBytes(30).toString('base64');
        const py = spawn(PYTHON, [PEER, 'AES_CM_128_HMAC_SHA1_80', offered, answerKey, String(PEER_PACKETS), String(PEER_FIRST_SEQ)], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        py.stdout.on('data', (d: Buffer) => (out += d.toString()));
        py.stderr.on('data', (d: Buffer) => (err += d.toString()));
        const pyDone = new Promise<void>((r) => py.on('close', () => r()));
        try {
          const deadline = Date.now() + 10_000;
          while (!/^port \d+/m.test(out)) {
            if (Date.now() > deadline) throw new Error(`srtp-peer.py did not start: ${err}`);
            await new Promise((r) => setTimeout(r, 20));
          }
          const mediaPort = Number(/^port (\d+)/m.exec(out)?.[1]);
          const sdp = `v=0\r\no=b 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${mediaPort} RTP/SAVP 8\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${answerKey}\r\n`;
          uas.send(responseTo(invite, '200 OK', 'b1', 'Content-Type: application/sdp\r\n', sdp), Number(/:(\d+);branch/.exec(invite)?.[1]));
          const ack = await uas.next(10_000);
          assert.match(ack, /^ACK /);
          const bye = await uas.next(15_000);
          assert.match(bye, /^BYE /);
          uas.send(responseTo(bye, '200 OK', 'b1'), Number(/:(\d+);branch/.exec(bye)?.[1]));
          await pyDone;
        } finally {
          py.kill('SIGKILL');
        }
        const r = await uac.exited;
        assert.equal(r.code, 0, r.stderr);
        const line = out.split('\n').find((l) => l.startsWith('{')) ?? '';
        return {
          peer: JSON.parse(line) as PeerReport,
          rtp: (JSON.parse(readFileSync(json, 'utf8')) as { rtp: Rtp }).rtp,
          sent: invite,
          stderr: r.stderr,
        };
      } finally {
        uac.child.kill('SIGKILL');
        uas.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  return exchange;
}

test(
  "libsrtp opens every packet of sipts's rtp_stream with the key of sipts's a=crypto: line (AES_CM_128_HMAC_SHA1_80)",
  { skip: SKIP, timeout: 90_000 },
  async () => {
    const { peer, rtp, stderr } = await runExchange();
    assert.equal(peer.failures, 0, "no packet failed libsrtp's authentication");
    assert.equal(peer.received, STREAM_PACKETS, 'the whole 1 s stream');
    assert.equal(rtp.packetsSent, STREAM_PACKETS);
    assert.equal(rtp.srtpSent, STREAM_PACKETS);
    assert.equal(peer.ssrcs, 1);
    assert.equal(peer.gaps, 0, 'sequence numbers continuous');
    assert.equal(peer.payloadOctets, 160 * STREAM_PACKETS, 'PCMA, 160 octets each once the tag is off');
    assert.doesNotMatch(stderr, /SRTP/, 'no SRTP warning for the audio keywords');
  },
);

test(
  'sipts opens what libsrtp protects with the key of the answer, across the sequence number wrap: all received, 0 auth failures',
  { skip: SKIP, timeout: 90_000 },
  async () => {
    const { peer, rtp } = await runExchange();
    assert.equal(peer.sent, PEER_PACKETS);
    // RFC 3550 A.1: a source's first packet is its probation, not counted: 99 of the 100.
    assert.equal(rtp.packetsReceived, PEER_PACKETS - 1);
    assert.equal(rtp.packetsLost, 0);
    assert.equal(rtp.srtpAuthFailures, 0);
  },
);
