// RtpStreamStats against an independent decoder: the same packets, written to a capture with their arrival
// times, analysed by tshark's `-z rtp,streams` (Wireshark's RTP analysis: RFC 3550 loss and jitter).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RtpStreamStats } from '../../src/media/rtp-stats.js';

const noTshark: string | false =
  spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0 ? false : 'tshark is not installed (Debian package tshark)';

interface Sent {
  seq: number;
  ts: number;
  arrivalUs: number;
}

/** A classic pcap (LINKTYPE_ETHERNET) of RTP/UDP/IPv4 datagrams 127.0.0.1:40000 -> 127.0.0.1:40002, written here. */
function capture(packets: readonly Sent[], ssrc: number): Buffer {
  const parts: Buffer[] = [];
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0); // microsecond timestamps
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(65535, 16);
  global.writeUInt32LE(1, 20); // Ethernet
  parts.push(global);
  for (const p of packets) {
    const rtp = Buffer.alloc(172, 0xff);
    rtp[0] = 0x80;
    rtp[1] = 0; // PCMU, 8000 Hz (RFC 3551)
    rtp.writeUInt16BE(p.seq, 2);
    rtp.writeUInt32BE(p.ts, 4);
    rtp.writeUInt32BE(ssrc, 8);
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(40000, 0);
    udp.writeUInt16BE(40002, 2);
    udp.writeUInt16BE(8 + rtp.length, 4);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + 8 + rtp.length, 2);
    ip[8] = 64;
    ip[9] = 17;
    ip.set([127, 0, 0, 1], 12);
    ip.set([127, 0, 0, 1], 16);
    const eth = Buffer.alloc(14);
    eth.writeUInt16BE(0x0800, 12);
    const frame = Buffer.concat([eth, ip, udp, rtp]);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(Math.floor(p.arrivalUs / 1e6), 0);
    rec.writeUInt32LE(p.arrivalUs % 1e6, 4);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    parts.push(rec, frame);
  }
  return Buffer.concat(parts);
}

test(
  'loss and max jitter agree with tshark -z rtp,streams (wraps of sequence number and timestamp, gaps, uneven arrivals)',
  { skip: noTshark },
  () => {
    // 200 packets 20 ms apart from seq 65436 and a timestamp 8000 short of 2^32 (both wrap), arrivals off their
    // slot by a pseudo-random -6..+6 ms (an LCG, so the same every run), 7 packets lost.
    const dropped = new Set([3, 50, 51, 52, 99, 150, 180]);
    const packets: Sent[] = [];
    let x = 12345;
    for (let k = 0; k < 200; k++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const offsetUs = ((x >>> 8) % 12_001) - 6000;
      if (dropped.has(k)) continue;
      packets.push({
        seq: (65436 + k) & 0xffff,
        ts: (2 ** 32 - 8000 + k * 160) % 2 ** 32,
        arrivalUs: 1_000_000_000 + k * 20_000 + offsetUs,
      });
    }
    // Arrivals keep their order here (a capture is in arrival order; offsets of 6 ms stay under the 20-ms spacing).
    const dir = mkdtempSync(join(tmpdir(), 'sipts-media-tshark-'));
    const file = join(dir, 'rtp.pcap');
    writeFileSync(file, capture(packets, 0xcafe));

    const out = spawnSync('tshark', ['-r', file, '-d', 'udp.port==40002,rtp', '-q', '-z', 'rtp,streams'], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    const row = /0x0000cafe\s+\S+\s+(\d+)\s+(-?\d+)\s+\([-\d.]+%\)\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+([\d.]+)/i.exec(
      out.stdout,
    );
    assert.ok(row !== null, `no stream row in tshark's output:\n${out.stdout}`);
    const [, pkts, lost, maxJitter] = row;

    // The first packet counts at once (Wireshark has no probation): minSequential 1.
    const stats = new RtpStreamStats(1, 1);
    stats.reset(0, 8000);
    for (const p of packets) stats.onPacket(0, p.seq, p.ts, p.arrivalUs / 1000);
    assert.equal(stats.receivedOf(0), Number(pkts));
    assert.equal(stats.receivedOf(0), 193);
    assert.equal(stats.lostOf(0), Number(lost));
    assert.equal(stats.lostOf(0), 7);
    assert.equal(stats.cyclesOf(0), 1);
    // tshark prints ms with 3 decimals.
    assert.ok(
      Math.abs(stats.maxJitterMsOf(0) - Number(maxJitter)) <= 0.0005,
      `max jitter ${stats.maxJitterMsOf(0)} ms, tshark ${maxJitter} ms`,
    );
    assert.ok(stats.maxJitterMsOf(0) > 1, 'the arrivals are uneven enough to matter');
  },
);
