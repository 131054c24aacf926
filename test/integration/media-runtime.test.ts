/**
 * engine/media-runtime.ts over real UDP on 127.0.0.1, with a hand-made peer: where a call's media goes (the
 * SDP it received), what it sends (RFC 3550 headers rewritten per call), rtp_stream pause/resume, the echo,
 * and that call end gives the ports back.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { test } from 'node:test';
import type { MediaCall } from '../../src/engine/media.js';
import { toneClip } from '../../src/media/tone.js';
import { mediaRuntime, sdpMessage, udpPeer, until } from '../media-helpers.js';

test('two calls play the same clip to the ports of their SDP, each with its own SSRC, seq +1 and timestamp +160; the echo comes back measured', async (t) => {
  const far = await udpPeer(true);
  t.after(() => far.socket.close());
  const { media } = await mediaRuntime();
  t.after(() => media.close());
  const clip = toneClip('alaw', { durationMs: 200 });
  const calls: MediaCall[] = [
    { number: 1, callId: 'a' },
    { number: 2, callId: 'b' },
  ];
  for (const c of calls) {
    media.received(c, sdpMessage(far.port));
    media.run(c, { op: 'pcap', line: 'audio', clip, file: 'tone' }, '');
  }
  await until(() => far.got.length >= 20);
  await until(() => media.totals().packetsReceived >= 18);
  const bySsrc = new Map<number, Buffer[]>();
  for (const p of far.got) bySsrc.set(p.readUInt32BE(8), [...(bySsrc.get(p.readUInt32BE(8)) ?? []), p]);
  assert.equal(bySsrc.size, 2);
  for (const packets of bySsrc.values()) {
    assert.equal(packets.length, 10);
    for (let i = 1; i < packets.length; i++) {
      assert.equal(((packets[i]?.readUInt16BE(2) ?? 0) - (packets[i - 1]?.readUInt16BE(2) ?? 0) + 65536) % 65536, 1);
      assert.equal(((packets[i]?.readUInt32BE(4) ?? 0) - (packets[i - 1]?.readUInt32BE(4) ?? 0) + 2 ** 32) % 2 ** 32, 160);
    }
  }
  const totals = media.totals();
  assert.equal(totals.packetsSent, 20);
  assert.equal(totals.packetsLost, 0);
  assert.ok(totals.mos > 4);
});

test('rtp_stream pause stops the packets, resume goes on where it was; call end stops it and frees the port', async (t) => {
  const far = await udpPeer();
  t.after(() => far.socket.close());
  const { media, base } = await mediaRuntime();
  t.after(() => media.close());
  const call: MediaCall = { number: 1, callId: 'p' };
  media.received(call, sdpMessage(far.port));
  media.run(call, { op: 'stream', clip: toneClip('alaw', { durationMs: 100 }), loops: -1, file: 'tone' }, '');
  await until(() => far.got.length >= 5);
  media.run(call, { op: 'pause' }, '');
  await new Promise((r) => setTimeout(r, 60));
  const paused = far.got.length;
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(far.got.length, paused, 'nothing sent while paused');
  media.run(call, { op: 'resume' }, '');
  await until(() => far.got.length >= paused + 5);
  // Sequence numbers go on by one across the pause and the loops.
  for (let i = 1; i < far.got.length; i++)
    assert.equal(((far.got[i]?.readUInt16BE(2) ?? 0) - (far.got[i - 1]?.readUInt16BE(2) ?? 0) + 65536) % 65536, 1);
  media.release(call);
  await new Promise((r) => setTimeout(r, 100));
  const after = far.got.length;
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(far.got.length, after, 'nothing sent after the call ended');
  // The call's pair (the range's first) is free again.
  await new Promise<void>((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind(base, '127.0.0.1', () => s.close(() => resolve()));
  });
});

test('loss through a peer that drops 10% of each stream is reported as 10% ± 1 (issue 18), and lowers the MOS estimate', async (t) => {
  // The peer echoes every packet but the 6th, 16th, 26th … of each SSRC: 10 of each call's 100, never its last.
  const socket = dgram.createSocket('udp4');
  const seen = new Map<number, number>();
  socket.on('message', (m, r) => {
    const ssrc = m.readUInt32BE(8);
    const k = seen.get(ssrc) ?? 0;
    seen.set(ssrc, k + 1);
    if (k % 10 !== 5) socket.send(m, r.port, r.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  t.after(() => socket.close());
  const { media } = await mediaRuntime();
  t.after(() => media.close());
  const clip = toneClip('alaw', { durationMs: 2000 });
  const calls: MediaCall[] = Array.from({ length: 10 }, (_, i) => ({ number: i + 1, callId: `l${i}` }));
  for (const c of calls) {
    media.received(c, sdpMessage(socket.address().port));
    media.run(c, { op: 'pcap', line: 'audio', clip, file: 'tone' }, '');
  }
  await until(() => [...seen.values()].reduce((a, b) => a + b, 0) >= 1000, 10_000);
  await new Promise((r) => setTimeout(r, 200));
  for (const c of calls) media.release(c);
  const r = media.totals();
  assert.equal(r.packetsSent, 1000);
  // RFC 3550 A.1: each stream's first packet is its probation, so 99 are expected and 89 received per call.
  const lossPercent = (100 * r.packetsLost) / (r.packetsReceived + r.packetsLost);
  assert.ok(Math.abs(lossPercent - 10) <= 1, `loss ${lossPercent} %: ${JSON.stringify(r)}`);
  assert.ok(r.mos < 3, `the E-model's estimate at 10 % random loss without concealment is poor: ${r.mos}`);
});

test('a call\'s own echo (<rtp_echo value="1"/>, rtp_echo="startaudio"): what reaches its media port goes back to the sender, counted', async (t) => {
  const far = await udpPeer();
  t.after(() => far.socket.close());
  const { media, base } = await mediaRuntime();
  t.after(() => media.close());
  const call: MediaCall = { number: 1, callId: 'e' };
  media.echo(call, true);
  const probe = Buffer.from([0x80, 8, 0, 1, 0, 0, 0, 160, 1, 2, 3, 4]);
  // The call's port is the range's first pair once bound: probe until the echo answers.
  await until(() => {
    far.socket.send(probe, base, '127.0.0.1');
    return far.got.length > 0;
  });
  assert.deepEqual(far.got[0], probe);
  assert.ok(media.totals().echoed >= 1);
  media.run(call, { op: 'echo', what: 'stop', line: 'audio' }, '');
  const before = far.got.length;
  far.socket.send(probe, base, '127.0.0.1');
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(far.got.length, before, 'no echo once stopped');
});
