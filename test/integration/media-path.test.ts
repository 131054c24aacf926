// The media path in real time on 127.0.0.1: one pacer, a socket pair per stream, an echo, the receiver's
// statistics. Loopback loses nothing, so every packet paced out must come back and be counted once, in order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MediaSocket } from '../../src/media/media-socket.js';
import { Pacer } from '../../src/media/pacer.js';
import { RtpEcho } from '../../src/media/rtp-echo.js';
import { RtpPortRange } from '../../src/media/rtp-ports.js';
import { RtpStreamStats } from '../../src/media/rtp-stats.js';
import { freeUdpRange } from '../helpers.js';

test('20 streams of 20-ms packets for 1 s through an echo: every packet back, counted once, nothing lost or reordered', async (t) => {
  const streams = 20;
  // A large receive buffer so that a busy machine delays the echo without overflowing it.
  const echo = await RtpEcho.open('127.0.0.1', 0, 2048, 1 << 20);
  const base = await freeUdpRange(2 * streams + 8);
  const range = new RtpPortRange(base, base + 2 * streams + 7);
  const stats = new RtpStreamStats(streams);
  const sockets: MediaSocket[] = [];
  t.after(() => {
    for (const s of sockets) s.close();
    echo.close();
  });
  const packets: Buffer[] = [];
  for (let i = 0; i < streams; i++) {
    const s = await MediaSocket.open(range, '127.0.0.1', { stats, slot: i });
    await s.connect(echo.port, '127.0.0.1');
    sockets.push(s);
    const p = Buffer.alloc(172, 0xff);
    p[0] = 0x80;
    p[1] = 0;
    p.writeUInt32BE(0x1000 + i, 8);
    packets.push(p);
  }
  const seq = new Uint16Array(streams);
  const pacer = new Pacer({
    send: (id) => {
      const p = packets[id];
      if (p === undefined) return;
      const n = seq[id] ?? 0;
      p.writeUInt16BE(n, 2);
      p.writeUInt32BE(n * 160, 4);
      seq[id] = n + 1;
      sockets[id]?.sendToPeer(p);
    },
  });
  for (let i = 0; i < streams; i++) pacer.add(20);
  pacer.start();
  await new Promise((r) => setTimeout(r, 1000));
  pacer.stop();
  const sent = pacer.packetsSent;
  // At 50 packets/s each, about 1,000 in a second (fewer only if the machine stalled the timer).
  assert.ok(sent >= 500 && sent <= streams * 52, `${sent} packets sent`);
  const received = (): number => sockets.reduce((sum, s) => sum + s.counts.rtpPackets, 0);
  const end = Date.now() + 10_000;
  while (received() < sent && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  assert.equal(received(), sent);
  const total = stats.totals();
  // Probation keeps each stream's first packet out of received and expected (RFC 3550 A.1).
  assert.equal(total.received, sent - streams);
  assert.equal(total.expected, sent - streams);
  assert.equal(total.lost, 0);
  assert.equal(total.outOfOrder, 0);
  assert.equal(total.duplicates, 0);
  for (const s of sockets) assert.equal(s.counts.sendErrors, 0);
  assert.equal(echo.packets, sent);
  assert.equal(pacer.latenessSummary().count, sent);
});
