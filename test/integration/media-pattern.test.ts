/**
 * SIPp 3.7's generated patterns through engine/media-runtime.ts over real UDP on 127.0.0.1: an apattern and a
 * vpattern play together to the audio and video ports of the peer's SDP, each line's hold (pauseapattern,
 * pausevpattern) apart from pause/resume as in SIPp, a new apattern replaces the audio stream only, and on an
 * SRTP call the audio pattern goes protected under the call's key.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { test } from 'node:test';
import type { MediaCall } from '../../src/engine/media.js';
import { patternClip, patternCodec } from '../../src/media/pattern.js';
import { SRTP_SUITES, SrtpContext } from '../../src/media/srtp.js';
import type { CompiledMedia } from '../../src/scenario/compile-media.js';
import { mediaRuntime, sdpBody, sdpMessage, sentSdp, udpPeer, until } from '../media-helpers.js';

function pattern(line: 'audio' | 'video', id: number, pt: number, name: string): CompiledMedia {
  const found = patternCodec(pt, name);
  assert.ok('codec' in found);
  return { op: 'pattern', line, clip: patternClip(id, pt, found.codec), file: `${line[0] ?? ''}pattern,${id},${pt},${found.name}` };
}

interface Got {
  readonly ssrc: number;
  readonly pt: number;
  readonly seq: number;
  readonly ts: number;
  readonly length: number;
  readonly octet: number;
  readonly atMs: number;
}

/** A peer port that keeps each packet's header fields, length, first payload octet and arrival time. */
async function recorder(): Promise<{ socket: dgram.Socket; port: number; got: Got[] }> {
  const socket = dgram.createSocket('udp4');
  const got: Got[] = [];
  socket.on('message', (m) => {
    got.push({
      ssrc: m.readUInt32BE(8),
      pt: (m[1] ?? 0) & 0x7f,
      seq: m.readUInt16BE(2),
      ts: m.readUInt32BE(4),
      length: m.length,
      octet: m[12] ?? -1,
      atMs: performance.now(),
    });
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return { socket, port: socket.address().port, got };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('apattern and vpattern play together to the SDP audio and video ports; each line holds apart; a new apattern replaces only audio', async (t) => {
  const audio = await recorder();
  const video = await recorder();
  t.after(() => {
    audio.socket.close();
    video.socket.close();
  });
  const { media } = await mediaRuntime({ maxPacketBytes: 1300 });
  t.after(() => media.close());
  const call: MediaCall = { number: 1, callId: 'av' };
  media.received(call, sdpMessage(audio.port, `m=video ${video.port} RTP/AVP 99\r\n`));
  media.run(call, pattern('audio', 1, 0, 'PCMU/8000'), '');
  media.run(call, pattern('video', 1, 99, 'H264/90000'), '');
  await until(() => audio.got.length >= 10 && video.got.length >= 2);

  // PCMU: 12 + 160 octets of 0xAA, timestamp +160 every 20 ms; H.264 (SIPp's packet): 12 + 1280, +1280 every 160 ms.
  for (const g of audio.got) assert.deepEqual([g.pt, g.length, g.octet], [0, 172, 0xaa]);
  for (const g of video.got) assert.deepEqual([g.pt, g.length, g.octet], [99, 1292, 0xaa]);
  for (let i = 1; i < audio.got.length; i++) {
    assert.equal(((audio.got[i]?.ts ?? 0) - (audio.got[i - 1]?.ts ?? 0) + 2 ** 32) % 2 ** 32, 160);
    assert.equal(((audio.got[i]?.seq ?? 0) - (audio.got[i - 1]?.seq ?? 0) + 65536) % 65536, 1);
  }
  assert.equal(((video.got[1]?.ts ?? 0) - (video.got[0]?.ts ?? 0) + 2 ** 32) % 2 ** 32, 1280);

  // pauseapattern holds the audio line only; "resume" does not lift it (SIPp keeps the two flags apart).
  media.run(call, { op: 'pause', line: 'audio' }, '');
  await sleep(60);
  const heldAt = audio.got.length;
  const videoAtHold = video.got.length;
  media.run(call, { op: 'resume' }, '');
  await sleep(400);
  assert.equal(audio.got.length, heldAt, 'nothing on the audio line while pauseapattern holds it');
  assert.ok(video.got.length > videoAtHold, 'the video line plays on');
  const before = audio.got[heldAt - 1];
  media.run(call, { op: 'resume', line: 'audio' }, '');
  await until(() => audio.got.length >= heldAt + 5);
  const after = audio.got[heldAt];
  assert.ok(before !== undefined && after !== undefined);
  // The same stream goes on: next sequence number, and a timestamp that moved on with the time held (RFC 3550
  // §5.1: 8 units a ms), within two packets of the wall clock.
  assert.equal(after.ssrc, before.ssrc);
  assert.equal((after.seq - before.seq + 65536) % 65536, 1);
  const tsGap = (after.ts - before.ts + 2 ** 32) % 2 ** 32;
  const clockGap = 8 * (after.atMs - before.atMs);
  assert.ok(Math.abs(tsGap - clockGap) <= 2 * 160, `timestamp gap ${tsGap}, wall clock ${clockGap.toFixed(0)} units`);

  // A new apattern replaces the audio stream: pattern 2's octet from then on, and, as in SIPp (one SSRC and one
  // sequence counter per call and line), the same source going on: same SSRC, seq +1 at the switch. The video
  // stream is untouched.
  const videoSsrc = video.got[0]?.ssrc;
  media.run(call, pattern('audio', 2, 0, ''), '');
  await until(() => audio.got.filter((g) => g.octet === 0xbb).length >= 5);
  const first2 = audio.got.findIndex((g) => g.octet === 0xbb);
  assert.ok(
    audio.got.slice(first2).every((g) => g.octet === 0xbb),
    'only pattern 2 once it replaced pattern 1',
  );
  assert.ok(
    audio.got.every((g) => g.ssrc === before.ssrc),
    'one audio source all along',
  );
  for (let i = heldAt + 1; i < audio.got.length; i++)
    assert.equal(((audio.got[i]?.seq ?? 0) - (audio.got[i - 1]?.seq ?? 0) + 65536) % 65536, 1, `seq +1 at ${i}`);
  const videoBefore = video.got.length;
  await until(() => video.got.length > videoBefore);
  assert.ok(
    video.got.every((g) => g.ssrc === videoSsrc),
    'one video stream all along',
  );

  // pausevpattern holds the video line, including a vpattern started while it holds (the hold is the call's).
  media.run(call, { op: 'pause', line: 'video' }, '');
  await sleep(200);
  const videoHeld = video.got.length;
  media.run(call, pattern('video', 5, 99, 'H264/90000'), '');
  await sleep(400);
  assert.equal(video.got.length, videoHeld);
  media.run(call, { op: 'resume', line: 'video' }, '');
  await until(() => video.got.some((g) => g.octet === 0xee));
  media.release(call);
  await sleep(100);
  const ended = audio.got.length;
  await sleep(100);
  assert.equal(audio.got.length, ended, 'nothing after the call ended');
});

test("on an SRTP call the apattern goes protected under the call's key; the vpattern goes in clear (no SRTP for video lines)", async (t) => {
  const ours = randomBytes(30).toString('base64');
  const peerRx = SrtpContext.fromInline(ours, SRTP_SUITES.AES_CM_128_HMAC_SHA1_80);
  assert.ok(peerRx);
  const opened: Buffer[] = [];
  let failed = 0;
  const socket = dgram.createSocket('udp4');
  socket.on('message', (m) => {
    const n = peerRx.unprotect(m, m.length);
    if (n < 0) failed++;
    else opened.push(Buffer.from(m.subarray(0, n)));
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  t.after(() => socket.close());
  const video = await udpPeer();
  t.after(() => video.socket.close());
  const { media } = await mediaRuntime({ maxPacketBytes: 1300 });
  t.after(() => media.close());
  const call: MediaCall = { number: 1, callId: 'srtp' };
  media.sentSdp(call, sentSdp(sdpBody(4000, `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${ours}\r\n`)));
  const theirs = randomBytes(30).toString('base64');
  media.received(
    call,
    sdpMessage(socket.address().port, `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${theirs}\r\nm=video ${video.port} RTP/AVP 99\r\n`),
  );
  media.run(call, pattern('audio', 3, 8, ''), '');
  media.run(call, pattern('video', 4, 99, 'H264/90000'), '');
  await until(() => opened.length >= 5 && video.got.length >= 2);
  assert.equal(failed, 0);
  // Unprotected with the key the call offered: PCMA, 160 octets of pattern 3's 0xCC.
  for (const p of opened) {
    assert.equal(p.length, 172);
    assert.equal((p[1] ?? 0) & 0x7f, 8);
    assert.ok(p.subarray(12).every((b) => b === 0xcc));
  }
  // Video: clear RTP of pattern 4's 0xDD, no authentication tag.
  for (const p of video.got) {
    assert.equal(p.length, 1292);
    assert.ok(p.subarray(12).every((b) => b === 0xdd));
  }
  assert.ok(media.totals().srtpSent >= 5);
});
