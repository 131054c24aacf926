// Media port pairs and the RTP echo on 127.0.0.1: RFC 3550 §11's even/odd pairs, RFC 5761 §4's RTCP demux,
// RFC 3550 A.1/A.3's loss on real datagrams, and SIPp's echo behaviour (checked against SIPp in
// test/interop/media-echo.test.ts).
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { test } from 'node:test';
import { MediaSocket, isRtcp } from '../../src/media/media-socket.js';
import { RtpEcho } from '../../src/media/rtp-echo.js';
import { RtpPortRange } from '../../src/media/rtp-ports.js';
import { RtpStreamStats } from '../../src/media/rtp-stats.js';
import { freeUdpRange } from '../helpers.js';

function rtp(seq: number, ts: number, ssrc = 0x11223344, length = 172): Buffer {
  const b = Buffer.alloc(length);
  b[0] = 0x80;
  b[1] = 0; // PCMU (RFC 3551)
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(ts, 4);
  b.writeUInt32BE(ssrc, 8);
  return b;
}

/** An RTCP receiver report with no blocks (RFC 3550 §6.4.2): V=2, RC=0, PT=201, length 1. */
const RTCP_RR = Buffer.from([0x80, 201, 0, 1, 0x11, 0x22, 0x33, 0x44]);

async function until(what: string, condition: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function rawSocket(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return s;
}

test('a range hands out even ports (RTCP on the odd neighbour), never-used first, then freed ones oldest first', () => {
  // 7001-7008: first even port 7002; pairs 7002/3, 7004/5, 7006/7 (7008 has no 7009): 3 pairs.
  const r = new RtpPortRange(7001, 7008);
  assert.equal(r.first, 7002);
  assert.equal(r.pairs, 3);
  assert.equal(r.take(), 7002);
  assert.equal(r.take(), 7004);
  r.release(7002);
  // A never-used pair before the one just freed.
  assert.equal(r.take(), 7006);
  r.release(7006);
  r.release(7004);
  // Freed order: 7002, 7006, 7004.
  assert.deepEqual([r.take(), r.take(), r.take(), r.take()], [7002, 7006, 7004, undefined]);
  assert.equal(r.inUseCount, 3);
  assert.match(r.exhausted().message, /RTP port range 7001-7008 exhausted: all 3 port pairs .* -min_rtp_port\/-max_rtp_port/);
  assert.throws(() => r.release(7003), /RTP port 7003 was not taken/);
  // SIPp's defaults (3.7: -min_rtp_port = -mp's 6000, -max_rtp_port 65535): 6000..65534 in pairs.
  const d = new RtpPortRange();
  assert.equal(d.first, 6000);
  assert.equal(d.pairs, (65535 - 6000 + 1) / 2);
  assert.throws(() => new RtpPortRange(7001, 7002), /make -max_rtp_port at least 7003/);
  assert.throws(() => new RtpPortRange(0, 70000), /from 1 to 65535/);
});

test('RTCP by the second octet (RFC 5761 §4; SR..APP are 200..204, RFC 3550 §6)', () => {
  for (const pt of [200, 201, 202, 203, 204, 192, 223]) assert.equal(isRtcp(Buffer.from([0x80, pt, 0, 1])), true, `PT ${pt}`);
  // RTP: PCMU 0, a marker bit on PCMU (128), PT 96 dynamic, 96 with the marker (224).
  for (const b of [0, 128, 96, 224, 191]) assert.equal(isRtcp(Buffer.from([0x80, b, 0, 1])), false, `byte ${b}`);
});

test('media sockets bind RTP/RTCP pairs from a range, skip a pair held elsewhere, reuse freed pairs, fail clearly when exhausted', async (t) => {
  const base = await freeUdpRange(6);
  const range = new RtpPortRange(base, base + 5);
  // Someone else holds base + 2 (the second pair's RTP port).
  const squatter = dgram.createSocket('udp4');
  await new Promise<void>((r) => squatter.bind(base + 2, '127.0.0.1', () => r()));
  t.after(() => squatter.close());
  const a = await MediaSocket.open(range, '127.0.0.1');
  assert.equal(a.port, base);
  assert.equal(a.rtp.address().port, base);
  assert.equal(a.rtcp.address().port, base + 1);
  const b = await MediaSocket.open(range, '127.0.0.1', { bufferBytes: 65536 });
  assert.equal(b.port, base + 4, 'the held pair was skipped');
  // -rtp_buffsize: Linux doubles the size asked for and reports the double (socket(7), SO_RCVBUF).
  if (process.platform === 'linux') assert.equal(b.rtp.getRecvBufferSize(), 131072);
  assert.equal(b.rtcp.address().port, base + 5);
  // Nothing left (base + 2 is still held): a clear error naming the range and the options.
  await assert.rejects(MediaSocket.open(range, '127.0.0.1'), new RegExp(`RTP port range ${base}-${base + 5} exhausted: all 3 port pairs`));
  a.close();
  a.close();
  const c = await MediaSocket.open(range, '127.0.0.1');
  assert.equal(c.port, base, 'a freed pair is reused');
  b.close();
  c.close();
  assert.equal(range.inUseCount, 0);
});

test('RTP through an echo: counted by the stats with a gap; RTCP counted apart on either port, never fed to the stats', async (t) => {
  const echo = await RtpEcho.open('127.0.0.1', 0);
  const base = await freeUdpRange(2);
  const stats = new RtpStreamStats(4);
  const media = await MediaSocket.open(new RtpPortRange(base, base + 1), '127.0.0.1', { stats, slot: 3 });
  const raw = await rawSocket();
  t.after(() => {
    echo.close();
    media.close();
    raw.close();
  });
  // Sequence 1..20 without 7 and 15: echoed back, the stats see two losses.
  const sent: number[] = [];
  for (let seq = 1; seq <= 20; seq++) {
    if (seq === 7 || seq === 15) continue;
    media.send(rtp(seq, seq * 160), echo.port, '127.0.0.1');
    sent.push(seq);
  }
  // An RTCP report through the echo comes back on the RTP port (RFC 5761 demux), one straight to the RTCP port.
  media.send(RTCP_RR, echo.port, '127.0.0.1');
  raw.send(RTCP_RR, base + 1, '127.0.0.1');
  // And a datagram that is not RTP v2.
  raw.send(Buffer.from('hello, not RTP'), base, '127.0.0.1');
  await until(
    '18 RTP, 2 RTCP and 1 invalid datagram',
    () => media.counts.rtpPackets === 18 && media.counts.rtcpPackets === 2 && media.counts.invalid === 1,
  );
  assert.equal(echo.packets, 19);
  // Probation (RFC 3550 A.1) keeps packet 1 out: base 2, highest 20: expected 19, received 17, lost 2.
  assert.equal(stats.expectedOf(3), 19);
  assert.equal(stats.receivedOf(3), 17);
  assert.equal(stats.lostOf(3), 2);
  assert.equal(stats.otherSsrcOf(3), 0);
  assert.equal(media.counts.rtpBytes, 18 * 172);
  assert.equal(media.counts.sendErrors, 0);
});

test('the echo sends each datagram back to its sender, cut to its buffer size (SIPp compat: -mb)', async (t) => {
  const echo = await RtpEcho.open('127.0.0.1', 0, 100);
  const raw = await rawSocket();
  t.after(() => {
    echo.close();
    raw.close();
  });
  const got: Buffer[] = [];
  raw.on('message', (m, rinfo) => {
    assert.equal(rinfo.port, echo.port);
    got.push(m);
  });
  raw.send(rtp(1, 0, 1, 300), echo.port, '127.0.0.1');
  raw.send(RTCP_RR, echo.port, '127.0.0.1');
  await until('two echoes', () => got.length === 2);
  // Datagrams can be reordered in theory; on loopback they are not, but sort by size to be sure.
  got.sort((x, y) => x.length - y.length);
  assert.deepEqual(got[0], RTCP_RR);
  assert.equal(got[1]?.length, 100);
  assert.deepEqual(got[1], rtp(1, 0, 1, 300).subarray(0, 100));
  assert.equal(echo.bytes, 108);
  await assert.rejects(RtpEcho.open('127.0.0.1', 0, 0), /-mb takes a whole number of bytes above 0/);
  await assert.rejects(RtpEcho.open('127.0.0.1', echo.port), /EADDRINUSE/);
});

test('connected to its peer, a media socket sends at once: one buffer rewritten between sends in one tick gives distinct packets', async (t) => {
  const echo = await RtpEcho.open('127.0.0.1', 0);
  const base = await freeUdpRange(2);
  const stats = new RtpStreamStats(1, 1);
  const media = await MediaSocket.open(new RtpPortRange(base, base + 1), '127.0.0.1', { stats, slot: 0 });
  const stranger = await rawSocket();
  t.after(() => {
    echo.close();
    media.close();
    stranger.close();
  });
  await media.connect(echo.port, '127.0.0.1');
  // What a pacer catching up does: the same stream's buffer, rewritten and sent 5 times in one tick.
  const packet = rtp(0, 0);
  for (let seq = 1; seq <= 5; seq++) {
    packet.writeUInt16BE(seq, 2);
    packet.writeUInt32BE(seq * 160, 4);
    media.sendToPeer(packet);
  }
  await until('5 echoes', () => media.counts.rtpPackets === 5);
  // Sequence 1..5 each once (minSequential 1: all counted): no duplicate, nothing lost.
  assert.equal(stats.receivedOf(0), 5);
  assert.equal(stats.expectedOf(0), 5);
  assert.equal(stats.duplicatesOf(0), 0);
  // From anyone but the peer, the kernel drops RTP datagrams; the echo's next one still arrives.
  stranger.send(rtp(6, 960), base, '127.0.0.1');
  packet.writeUInt16BE(7, 2);
  media.sendToPeer(packet);
  await until('the 6th echo', () => media.counts.rtpPackets === 6);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(media.counts.rtpPackets, 6);
  assert.equal(stats.lostOf(0), 1, 'seq 6 (from the stranger) never reached the stats');
  // A datagram over UDP's 65,507-byte limit (EMSGSIZE) is a counted send error, not a crash.
  media.sendToPeer(Buffer.alloc(70_000));
  await until('the send error', () => media.counts.sendErrors === 1);
});
