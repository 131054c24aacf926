/**
 * RTCP reports through engine/media-runtime.ts over real UDP on 127.0.0.1: a call plays 20 packets of PCMA
 * (160 octets each) to a peer that sends 30 of its own minus two; the call's reports reach the peer's RTP port
 * + 1 (RFC 3550 §11), and tshark (test/tshark.ts) reads in the last one the counts worked out here by hand.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { MediaCall } from '../../src/engine/media.js';
import { writePcap } from '../../src/media/capture-write.js';
import { buildClip } from '../../src/media/clip-builder.js';
import { toneClip } from '../../src/media/tone.js';
import { noTshark, tsharkFields } from '../tshark.js';
import { aesCmKeystream, deriveSessionKeys } from '../../src/media/srtp.js';
import { HmacSha1 } from '../../src/media/hmac-sha1.js';
import { randomBytes } from 'node:crypto';
import { mediaRuntime, sdpMessage, until } from '../media-helpers.js';

async function bind(port: number): Promise<dgram.Socket | undefined> {
  const s = dgram.createSocket('udp4');
  return new Promise((resolve) => {
    s.once('error', () => {
      s.close();
      resolve(undefined);
    });
    s.bind(port, '127.0.0.1', () => resolve(s));
  });
}

/** The peer's RTP and RTCP sockets on an even port and the next. */
async function peerPair(): Promise<[dgram.Socket, dgram.Socket]> {
  for (;;) {
    const base = 20000 + 2 * Math.floor(Math.random() * 15000);
    const rtp = await bind(base);
    if (rtp === undefined) continue;
    const rtcp = await bind(base + 1);
    if (rtcp !== undefined) return [rtp, rtcp];
    rtp.close();
  }
}

/** The peer's RTP socket (RTCP on the next port), closed after the test, and the RTCP reports that reached it. */
async function reportPeer(t: TestContext): Promise<{ rtp: dgram.Socket; reports: Buffer[] }> {
  const [rtp, rtcp] = await peerPair();
  t.after(() => {
    rtp.close();
    rtcp.close();
  });
  const reports: Buffer[] = [];
  rtcp.on('message', (m) => reports.push(m));
  return { rtp, reports };
}

const FIELDS = [
  'rtcp.pt',
  'rtcp.senderssrc',
  'rtcp.sender.packetcount',
  'rtcp.sender.octetcount',
  'rtcp.ssrc.identifier',
  'rtcp.ssrc.cum_nr',
  'rtcp.ssrc.ext_high',
  'rtcp.ssrc.jitter',
  'rtcp.sdes.text',
];

test(
  'a call sends RTCP to the peer port + 1: SR packet and octet counts, an RR block with the loss and highest sequence, decoded by tshark',
  { skip: noTshark, timeout: 30_000 },
  async (t) => {
    const { rtp, reports } = await reportPeer(t);
    let callSsrc = -1;
    let callPort = 0;
    rtp.on('message', (m, r) => {
      callSsrc = m.readUInt32BE(8);
      callPort = r.port;
    });
    const { media: runtime } = await mediaRuntime({ rtcpIntervalMs: 200 });
    t.after(() => runtime.close());
    const call: MediaCall = { number: 1, callId: 'r' };
    runtime.received(call, sdpMessage(rtp.address().port));
    // 400 ms of PCMA: 20 packets of 160 octets.
    runtime.run(call, { op: 'stream', clip: toneClip('alaw', { durationMs: 400 }), loops: 1, file: 'tone' }, '');
    await until(() => callPort !== 0, 10_000);
    // The peer's own stream: sequence numbers 1000..1029 but 1010 and 1011, 20 ms of timestamp apart.
    for (let k = 0; k < 30; k++) {
      if (k === 10 || k === 11) continue;
      const p = Buffer.alloc(172);
      p[0] = 0x80;
      p[1] = 8;
      p.writeUInt16BE(1000 + k, 2);
      p.writeUInt32BE(160 * k, 4);
      p.writeUInt32BE(0x5eed5eed, 8);
      rtp.send(p, callPort, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 5));
    }
    // A report made after both streams ended.
    await until(() => runtime.totals().packetsSent === 20, 10_000);
    await new Promise((r) => setTimeout(r, 100));
    const from = reports.length;
    await until(() => reports.length > from, 10_000);
    const last = reports[reports.length - 1] ?? Buffer.alloc(0);
    const dir = mkdtempSync(join(tmpdir(), 'sipts-rtcp-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'rtcp.pcap');
    writeFileSync(file, writePcap(buildClip([{ payload: last, timeUs: 0, dstPort: 5005 }]), { srcPort: 5004, dstPort: 5005 }));
    const [row = []] = tsharkFields(file, FIELDS, ['-d', 'udp.port==5005,rtcp']);
    const d = Object.fromEntries(FIELDS.map((f, i) => [f, row[i] ?? '']));
    assert.equal(d['rtcp.pt'], '200,202', 'an SR, then SDES');
    assert.equal(Number(d['rtcp.senderssrc']), callSsrc, 'about the source the call sent');
    assert.equal(d['rtcp.sender.packetcount'], '20');
    assert.equal(d['rtcp.sender.octetcount'], String(20 * 160));
    assert.equal(d['rtcp.ssrc.identifier']?.split(',')[0], '0x5eed5eed');
    // RFC 3550 A.1: 1000 is the probation packet, so 1001..1029 are expected (29), 27 came: 2 lost.
    assert.equal(d['rtcp.ssrc.cum_nr'], '2');
    assert.equal(d['rtcp.ssrc.ext_high'], '1029');
    // Sent 5 ms apart with 20 ms of timestamp between them: the jitter is large but bounded by 15 ms = 120 units.
    assert.ok(Number(d['rtcp.ssrc.jitter']) > 0 && Number(d['rtcp.ssrc.jitter']) <= 120, d['rtcp.ssrc.jitter']);
    assert.equal(d['rtcp.sdes.text'], 'sipts-1@127.0.0.1');
  },
);

test("an SRTP call's reports go as SRTCP (RFC 3711 §3.4): header in clear, E flag and index 1, 2, ..., an 80-bit tag, the SR inside", async (t) => {
  const { rtp, reports } = await reportPeer(t);
  let callSsrc = -1;
  rtp.on('message', (m) => {
    callSsrc = m.readUInt32BE(8);
  });
  const { media: runtime } = await mediaRuntime({ rtcpIntervalMs: 200 });
  t.after(() => runtime.close());
  const raw = randomBytes(30);
  const ours = raw.toString('base64');
  const call: MediaCall = { number: 1, callId: 's' };
  runtime.sentSdp(
    call,
    `INVITE sip:b@x SIP/2.0\r\nContent-Length: 0\r\n\r\nv=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/SAVP 8\r\na=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:${ours}\r\n`,
  );
  runtime.received(
    call,
    sdpMessage(rtp.address().port, `a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:${randomBytes(30).toString('base64')}\r\n`),
  );
  runtime.run(call, { op: 'stream', clip: toneClip('alaw', { durationMs: 400 }), loops: 1, file: 'tone' }, '');
  await until(() => reports.length >= 2 && callSsrc !== -1, 10_000);
  const keys = deriveSessionKeys(raw.subarray(0, 16), raw.subarray(16), true);
  reports.slice(0, 2).forEach((p, k) => {
    // The compound packet, then E || index (4 octets) and the tag (10).
    const len = p.length - 14;
    assert.equal(p[1], 200);
    assert.equal(p.readUInt32BE(4), callSsrc, 'the sender SSRC in clear');
    assert.equal(p.readUInt32BE(len), (0x80000000 | (k + 1)) >>> 0, 'E set, index counting from 1 as libsrtp');
    const tag = new HmacSha1(keys.authKey).mac(p, len + 4, new Uint8Array(0));
    assert.deepEqual(p.subarray(len + 4), Buffer.from(tag.subarray(0, 10)));
    const iv = Buffer.alloc(16);
    keys.salt.copy(iv);
    iv.writeUInt32BE((iv.readUInt32BE(4) ^ callSsrc) >>> 0, 4);
    iv.writeUInt32BE((iv.readUInt32BE(10) ^ (k + 1)) >>> 0, 10);
    const ks = aesCmKeystream(keys.cipherKey, iv, len - 8);
    const clear = Buffer.from(p.subarray(8, len).map((x, i) => x ^ (ks[i] ?? 0)));
    // The SR's sender info, decrypted: packets and octets are whole packets of 160 octets so far.
    const packets = clear.readUInt32BE(12);
    assert.equal(clear.readUInt32BE(16), 160 * packets);
    assert.equal(clear.subarray(clear.length - 24).includes(Buffer.from('sipts-1@127.0.0.1')), true);
  });
});
