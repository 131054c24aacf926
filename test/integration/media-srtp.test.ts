/**
 * SRTP through engine/media-runtime.ts over real UDP on 127.0.0.1: the keys of the SDP the call sent and of the
 * one it received (SDES, RFC 4568), rtp_stream sent as SRTP under the call's key, what comes back unprotected
 * with the peer's key before it counts, and authentication failures counted, not crashing anything. The peer
 * here uses sipts's own SrtpContext; test/interop/media-srtp.test.ts checks both directions against libsrtp.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { test } from 'node:test';
import type { MediaCall } from '../../src/engine/media.js';
import { SRTP_SUITES, SrtpContext } from '../../src/media/srtp.js';
import { toneClip } from '../../src/media/tone.js';
import { mediaRuntime, sdpBody, sdpMessage, sentSdp, udpPeer, until } from '../media-helpers.js';

test('rtp_stream goes out as SRTP under the key the call sent; SRTP back under the peer key counts, a forged packet is an auth failure', async (t) => {
  const ours = randomBytes(30).toString('base64');
  const theirs = randomBytes(30).toString('base64');
  const peerRx = SrtpContext.fromInline(ours, SRTP_SUITES.AES_CM_128_HMAC_SHA1_80);
  const peerTx = SrtpContext.fromInline(theirs, SRTP_SUITES.AES_CM_128_HMAC_SHA1_80);
  assert.ok(peerRx && peerTx);
  let opened = 0;
  let failed = 0;
  let clearOnTheWire = 0;
  const socket = dgram.createSocket('udp4');
  socket.on('message', (m, r) => {
    const wire = Buffer.from(m);
    const n = peerRx.unprotect(m, m.length);
    if (n < 0) {
      failed++;
      return;
    }
    opened++;
    // The tone's payload was not on the wire in clear.
    if (wire.subarray(12, n).equals(m.subarray(12, n))) clearOnTheWire++;
    // Back under the peer's own key (as its own stream: another SSRC).
    m.writeUInt32BE(0xabcdef01, 8);
    const back = Buffer.alloc(n + 10);
    m.copy(back, 0, 0, n);
    const len = peerTx.protect(back, n);
    socket.send(back.subarray(0, len), r.port, r.address);
    if (opened === 5) {
      const forged = Buffer.from(back.subarray(0, len));
      forged[20] = (forged[20] ?? 0) ^ 1;
      socket.send(forged, r.port, r.address);
    }
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  t.after(() => socket.close());
  const warnings: string[] = [];
  const { media } = await mediaRuntime({ log: (_l, text) => warnings.push(text) });
  t.after(() => media.close());
  const call: MediaCall = { number: 1, callId: 's' };
  media.sentSdp(
    call,
    sentSdp(
      sdpBody(
        4000,
        `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${ours}\r\na=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:${randomBytes(30).toString('base64')}\r\n`,
      ),
    ),
  );
  media.received(call, sdpMessage(socket.address().port, `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${theirs}|2^20|1:4\r\n`));
  media.run(call, { op: 'stream', clip: toneClip('alaw', { durationMs: 400 }), loops: 1, file: 'tone' }, '');
  await until(() => opened >= 20 && media.totals().packetsReceived >= 18 && media.totals().srtpAuthFailures >= 1);
  const r = media.totals();
  assert.equal(failed, 0, 'every packet opened under the key sent in the SDP');
  assert.equal(clearOnTheWire, 0, 'the payloads were encrypted');
  assert.equal(r.packetsSent, 20);
  assert.equal(r.srtpSent, 20);
  assert.equal(r.srtpAuthFailures, 1, 'the forged packet');
  assert.equal(r.packetsLost, 0);
  assert.deepEqual(warnings, []);
});

test('no suite in common: a warning naming both sides, counted as a media error, and the stream goes in clear', async (t) => {
  const { socket, got } = await udpPeer();
  t.after(() => socket.close());
  const warnings: string[] = [];
  const { media } = await mediaRuntime({ log: (_l, text) => warnings.push(text) });
  t.after(() => media.close());
  const call: MediaCall = { number: 1, callId: 'n' };
  const key = randomBytes(30).toString('base64');
  media.sentSdp(call, sentSdp(sdpBody(4000, `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key}\r\n`)));
  media.received(call, sdpMessage(socket.address().port, `a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:${key}\r\n`));
  media.run(call, { op: 'stream', clip: toneClip('alaw', { durationMs: 100 }), loops: 1, file: 'tone' }, '');
  await until(() => got.length >= 5);
  assert.equal(got[0]?.length, 172, 'a plain RTP packet, no tag');
  assert.equal(media.totals().srtpSent, 0);
  assert.ok(media.totals().errors >= 1);
  assert.match(warnings[0] ?? '', /no crypto suite in common \(sent AES_CM_128_HMAC_SHA1_80; the peer's AES_256_CM_HMAC_SHA1_80\)/);
});

test("an SRTP call's echo (rtp_echo): the peer's packet comes back under the call's key, its payload unchanged (as SIPp 3.7)", async (t) => {
  const ours = randomBytes(30).toString('base64');
  const theirs = randomBytes(30).toString('base64');
  const peerRx = SrtpContext.fromInline(ours, SRTP_SUITES.AES_CM_128_HMAC_SHA1_32);
  const peerTx = SrtpContext.fromInline(theirs, SRTP_SUITES.AES_CM_128_HMAC_SHA1_32);
  assert.ok(peerRx && peerTx);
  const { socket, got: back } = await udpPeer();
  t.after(() => socket.close());
  const warnings: string[] = [];
  const { media, base } = await mediaRuntime({ log: (_l, text) => warnings.push(text) });
  t.after(() => media.close());
  const call: MediaCall = { number: 1, callId: 'e' };
  // The UAS side: the offer came in, the answer went out.
  media.received(call, sdpMessage(socket.address().port, `a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:${theirs}\r\n`));
  media.sentSdp(call, sentSdp(sdpBody(4000, `a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:${ours}\r\n`)));
  media.echo(call, true);
  const payloads: Buffer[] = [];
  let k = 0;
  // The call's port is the range's first once bound: probe until the echo answers.
  await until(() => {
    const p = Buffer.alloc(12 + 160 + 4);
    p[0] = 0x80;
    p[1] = 0;
    p.writeUInt16BE(k, 2);
    p.writeUInt32BE(160 * k, 4);
    p.writeUInt32BE(0x77777777, 8);
    for (let i = 12; i < 172; i++) p[i] = (i + k) & 0xff;
    payloads.push(Buffer.from(p.subarray(12, 172)));
    const n = peerTx.protect(p, 172);
    socket.send(p.subarray(0, n), base, '127.0.0.1');
    k++;
    return back.length >= 3;
  });
  for (const m of back) {
    const n = peerRx.unprotect(m, m.length);
    assert.equal(n, 172, 'opens under the key the call sent');
    const seq = m.readUInt16BE(2);
    assert.deepEqual(m.subarray(12, 172), payloads[seq]);
  }
  assert.ok(media.totals().echoed >= 3);
});

test('a re-offer with a new key (RFC 4568 §7.1.4): the call sends under the old key until the answer comes, then under the new one', async (t) => {
  const first = randomBytes(30).toString('base64');
  const second = randomBytes(30).toString('base64');
  const theirs = randomBytes(30).toString('base64');
  const underFirst = SrtpContext.fromInline(first, SRTP_SUITES.AES_CM_128_HMAC_SHA1_80);
  const underSecond = SrtpContext.fromInline(second, SRTP_SUITES.AES_CM_128_HMAC_SHA1_80);
  assert.ok(underFirst && underSecond);
  const opened: string[] = [];
  const socket = dgram.createSocket('udp4');
  socket.on('message', (m) => {
    if (underFirst.unprotect(Buffer.from(m), m.length) > 0) opened.push('first');
    else if (underSecond.unprotect(Buffer.from(m), m.length) > 0) opened.push('second');
    else opened.push('neither');
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  t.after(() => socket.close());
  const { media } = await mediaRuntime();
  t.after(() => media.close());
  const call: MediaCall = { number: 1, callId: 'r' };
  const answer = sdpMessage(socket.address().port, `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${theirs}\r\n`);
  media.sentSdp(call, sentSdp(sdpBody(4000, `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${first}\r\n`)));
  media.received(call, answer);
  media.run(call, { op: 'stream', clip: toneClip('alaw', { durationMs: 200 }), loops: -1, file: 'tone' }, '');
  await until(() => opened.length >= 5);
  // The re-INVITE goes: its answer has not come yet.
  media.sentSdp(call, sentSdp(sdpBody(4000, `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${second}\r\n`)));
  const offeredAt = opened.length;
  await until(() => opened.length >= offeredAt + 5);
  media.received(call, answer);
  const answeredAt = opened.length;
  await until(() => opened.length >= answeredAt + 5);
  media.release(call);
  assert.ok(!opened.includes('neither'), opened.join(' '));
  const switched = opened.indexOf('second');
  assert.ok(switched >= offeredAt + 5, `still the first key while the offer is out: ${opened.join(' ')}`);
  assert.ok(switched <= answeredAt + 3, `the new key once answered: ${opened.join(' ')}`);
  assert.ok(
    opened.slice(switched).every((k) => k === 'second'),
    opened.join(' '),
  );
});
