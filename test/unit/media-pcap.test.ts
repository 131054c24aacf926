import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writePcap, writePcapng, type CaptureOptions } from '../../src/media/capture-write.js';
import { buildClip } from '../../src/media/clip-builder.js';
import type { MediaClip } from '../../src/media/clip.js';
import {
  LINKTYPE_ETHERNET,
  LINKTYPE_IEEE802_11,
  LINKTYPE_IEEE802_11_RADIOTAP,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
} from '../../src/media/frame-decode.js';
import { dtmfClip } from '../../src/media/dtmf.js';
import { readCapture } from '../../src/media/pcap.js';
import { parseRtpHeader } from '../../src/media/rtp-packet.js';
import { toneClip } from '../../src/media/tone.js';
import { asRtp, noSipTester, noTshark, SIP_TESTER_DIR, tsharkFields } from '../tshark.js';

const RTP_FIELDS = ['rtp.seq', 'rtp.timestamp', 'rtp.ssrc', 'rtp.p_type', 'frame.time_relative', 'rtp.payload'];

/** Compares a clip packet by packet with what tshark decodes from the same file. */
function assertClipMatchesTshark(clip: MediaClip, file: string, ...ports: number[]): void {
  const rows = tsharkFields(
    file,
    RTP_FIELDS,
    ports.flatMap((p) => asRtp(p)),
  );
  assert.equal(clip.packets.length, rows.length, `${file}: packet count`);
  rows.forEach(([seq, ts, ssrc, pt, rel, payload], i) => {
    const packet = clip.packets[i];
    assert.ok(packet !== undefined);
    const h = parseRtpHeader(packet);
    assert.ok(h !== undefined, `${file}: packet ${i} is RTP`);
    assert.equal(h.sequenceNumber, Number(seq), `${file}: seq of packet ${i}`);
    assert.equal(h.timestamp, Number(ts), `${file}: timestamp of packet ${i}`);
    assert.equal(h.ssrc, Number(ssrc), `${file}: SSRC of packet ${i}`);
    assert.equal(h.payloadType, Number(pt), `${file}: payload type of packet ${i}`);
    // tshark prints the time relative to the first frame in ns; the clip keeps µs (a float for ns files).
    assert.ok(
      Math.abs((clip.offsetsUs[i] ?? NaN) - Number(rel) * 1e6) < 0.001,
      `${file}: offset of packet ${i}: ${clip.offsetsUs[i]} vs ${rel}`,
    );
    assert.equal(
      packet.subarray(h.payloadOffset, h.payloadOffset + h.payloadLength).toString('hex'),
      payload,
      `${file}: payload of packet ${i}`,
    );
  });
}

function firstDstPort(file: string): number {
  return Number(tsharkFields(file, ['udp.dstport'], ['-c', '1'])[0]?.[0]);
}

test(
  "SIPp's sample captures (Debian sip-tester): every packet's seq, timestamp, SSRC, payload type, time and payload as tshark decodes them",
  { skip: noTshark || noSipTester },
  () => {
    const files = readdirSync(SIP_TESTER_DIR).filter((f) => f.endsWith('.pcap'));
    assert.ok(
      files.includes('g711a.pcap') && files.filter((f) => f.startsWith('dtmf_2833_')).length === 12,
      `the 13 sample captures: ${files.join(' ')}`,
    );
    for (const name of files) {
      const file = join(SIP_TESTER_DIR, name);
      const clip = readCapture(readFileSync(file), file);
      assertClipMatchesTshark(clip, file, firstDstPort(file));
      assert.equal(clip.streams.length, 1, `${name}: one stream`);
    }
    const g711a = readCapture(readFileSync(join(SIP_TESTER_DIR, 'g711a.pcap')), 'g711a.pcap');
    const s = g711a.streams[0];
    assert.ok(s !== undefined);
    // tshark: PT 8 (PCMA, 8000 Hz per RFC 3551), 240 timestamp units between packets (30 ms at 8 kHz).
    assert.deepEqual([s.payloadType, s.clockRate, s.timestampStep, s.packetCount], [8, 8000, 240, 236]);
  },
);

const variants: ReadonlyArray<{ name: string; ng: boolean; o: Omit<CaptureOptions, 'srcPort' | 'dstPort'> }> = [
  { name: 'pcap, little-endian, µs, Ethernet', ng: false, o: {} },
  { name: 'pcap, big-endian, ns, Ethernet with an 802.1Q tag', ng: false, o: { littleEndian: false, nanoseconds: true, vlan: 42 } },
  { name: 'pcap, Linux cooked (SLL)', ng: false, o: { linkType: LINKTYPE_LINUX_SLL } },
  { name: 'pcap, Linux cooked v2 (SLL2), IPv6', ng: false, o: { linkType: LINKTYPE_LINUX_SLL2, ipVersion: 6 } },
  { name: 'pcap, raw IPv6 with a hop-by-hop extension header', ng: false, o: { linkType: LINKTYPE_RAW, ipVersion: 6, ipv6HopByHop: true } },
  { name: 'pcap, raw IPv4', ng: false, o: { linkType: LINKTYPE_RAW } },
  { name: 'pcap, BSD loopback (null), little-endian', ng: false, o: { linkType: LINKTYPE_NULL } },
  { name: 'pcap, BSD loopback (null), big-endian, IPv6', ng: false, o: { linkType: LINKTYPE_NULL, littleEndian: false, ipVersion: 6 } },
  { name: 'pcap, 802.11 QoS data', ng: false, o: { linkType: LINKTYPE_IEEE802_11 } },
  { name: 'pcap, radiotap + 802.11, IPv6', ng: false, o: { linkType: LINKTYPE_IEEE802_11_RADIOTAP, ipVersion: 6 } },
  { name: 'pcapng, little-endian, µs, Ethernet', ng: true, o: {} },
  {
    name: 'pcapng, big-endian, ns (if_tsresol 9), SLL2',
    ng: true,
    o: { littleEndian: false, nanoseconds: true, linkType: LINKTYPE_LINUX_SLL2 },
  },
  {
    name: 'pcapng, Ethernet IPv6 with VLAN and hop-by-hop',
    ng: true,
    o: { vlan: 7, ipVersion: 6, ipv6HopByHop: true, linkType: LINKTYPE_ETHERNET },
  },
];

test('captures written in every supported format read back as tshark decodes them', { skip: noTshark }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-media-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const clip = toneClip('alaw', { durationMs: 200 });
  variants.forEach((v, i) => {
    const file = join(dir, `v${i}.${v.ng ? 'pcapng' : 'pcap'}`);
    const o: CaptureOptions = { ...v.o, srcPort: 40000, dstPort: 30000, startUs: 1_700_000_000_123_456 };
    writeFileSync(file, v.ng ? writePcapng(clip, o) : writePcap(clip, o));
    const read = readCapture(readFileSync(file), file);
    assertClipMatchesTshark(read, file, 30000);
    assert.equal(read.packets.length, 10, v.name);
    if (v.o.ipVersion === 6) {
      // The UDP checksum is mandatory over IPv6 (RFC 8200 §8.1): tshark, asked to check it, finds it good (1).
      const status = tsharkFields(file, ['udp.checksum.status'], ['-o', 'udp.check_checksum:TRUE']).map((r) => r[0]);
      assert.deepEqual([...new Set(status)], ['1'], `${v.name}: UDP checksums`);
    }
  });
});

test('nanosecond timestamps keep their nanoseconds (pcap and pcapng, dates of today)', { skip: noTshark }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-media-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const tone = toneClip('ulaw', { durationMs: 60 });
  // Offsets 0, 20 000.5 and 40 000.25 µs: 500 and 250 ns past the µs, which a µs-since-epoch float cannot hold.
  const clip = buildClip(tone.packets.map((payload, i) => ({ payload, timeUs: [0, 20_000.5, 40_000.25][i] ?? 0, dstPort: 0 })));
  for (const ng of [false, true]) {
    const file = join(dir, `ns.${ng ? 'pcapng' : 'pcap'}`);
    // A start time on a whole µs keeps the writer's float exact; the reader still sums seconds and nanoseconds.
    writeFileSync(
      file,
      (ng ? writePcapng : writePcap)(clip, { srcPort: 1, dstPort: 30000, startUs: 1_764_000_000_000_000, nanoseconds: true }),
    );
    const read = readCapture(readFileSync(file), file);
    assertClipMatchesTshark(read, file, 30000);
    assert.deepEqual([...read.offsetsUs], [0, 20_000.5, 40_000.25]);
  }
});

test('a pcapng with two interfaces of different link types and timestamp resolutions (merged by mergecap)', { skip: noTshark }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-media-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const a = join(dir, 'a.pcapng');
  const b = join(dir, 'b.pcapng');
  const merged = join(dir, 'm.pcapng');
  writeFileSync(a, writePcapng(toneClip('ulaw', { durationMs: 100, ssrc: 1 }), { srcPort: 4000, dstPort: 6000, startUs: 1_000_000 }));
  writeFileSync(
    b,
    writePcapng(toneClip('alaw', { durationMs: 100, ssrc: 2 }), {
      srcPort: 4002,
      dstPort: 6002,
      startUs: 1_010_000,
      nanoseconds: true,
      linkType: LINKTYPE_RAW,
    }),
  );
  execFileSync('mergecap', ['-F', 'pcapng', '-w', merged, a, b], { stdio: 'ignore' });
  const clip = readCapture(readFileSync(merged), merged);
  assertClipMatchesTshark(clip, merged, 6000, 6002);
  // mergecap interleaves by time: ssrc 1 at 0, 20 ... ms, ssrc 2 at 10, 30 ... ms.
  assert.deepEqual(
    clip.streams.map((s) => [s.ssrc, s.portOffset, s.payloadType, s.packetCount]),
    [
      [1, 0, 0, 5],
      [2, 2, 8, 5],
    ],
  );
  assert.deepEqual([...clip.portOffsets.slice(0, 4)], [0, 2, 0, 2]);
});

test('a pcapng simple packet block (no timestamp) is timed from its RTP clock', () => {
  // Hand-built little-endian pcapng: SHB, IDB (raw IP), EPB of packet 0 at 5 s, SPB of packet 1.
  const clip = toneClip('ulaw', { durationMs: 40 });
  const ng = writePcapng(clip, { srcPort: 1, dstPort: 2, startUs: 5_000_000, linkType: LINKTYPE_RAW });
  // The second EPB starts after SHB (28), IDB (20) and the first EPB (32 + padded frame).
  const frame1Len = 20 + 8 + 172;
  const firstEpbEnd = 28 + 20 + 32 + Math.ceil(frame1Len / 4) * 4;
  const frame = ng.subarray(firstEpbEnd + 28, firstEpbEnd + 28 + frame1Len);
  const spb = Buffer.alloc(16 + Math.ceil(frame1Len / 4) * 4);
  spb.writeUInt32LE(3, 0);
  spb.writeUInt32LE(spb.length, 4);
  spb.writeUInt32LE(frame1Len, 8);
  frame.copy(spb, 12);
  spb.writeUInt32LE(spb.length, spb.length - 4);
  const read = readCapture(Buffer.concat([ng.subarray(0, firstEpbEnd), spb]), 'spb.pcapng');
  // 160 timestamp units at PCMU's 8000 Hz (RFC 3551) = 20 000 µs.
  assert.deepEqual([...read.offsetsUs], [0, 20_000]);
});

test('errors name the file and the byte offset and say what is wrong', () => {
  const clip = toneClip('ulaw', { durationMs: 40 });
  const pcap = writePcap(clip, { srcPort: 1, dstPort: 2 });
  assert.throws(
    () => readCapture(Buffer.from('hello world, not a capture'), 'x.pcap'),
    /^SiptsError: x\.pcap: byte 0: not a pcap or pcapng file/,
  );
  // Record 2 claims more octets than the file has: its length field is at 24 + 16 + frame + 8.
  const frameLen = 14 + 20 + 8 + 172;
  assert.throws(
    () => readCapture(pcap.subarray(0, pcap.length - 10), 'cut.pcap'),
    new RegExp(
      `cut\\.pcap: byte ${24 + 16 + frameLen + 8}: a packet record says ${frameLen} octets but the file ends after ${frameLen - 10}`,
    ),
  );
  // An IPv4 fragment: set MF in the first packet's flags (Ethernet 14 + IPv4 offset 6, after the 40 octets of headers).
  const frag = Buffer.from(pcap);
  frag.writeUInt16BE(0x2000, 40 + 14 + 6);
  assert.throws(() => readCapture(frag, 'frag.pcap'), /frag\.pcap: byte 60: an IPv4 fragment: sipts does not reassemble/);
  // A link type sipts does not read (LINKTYPE_USER0 = 147) at the header's offset 20.
  const user = Buffer.from(pcap);
  user.writeUInt32LE(147, 20);
  assert.throws(() => readCapture(user, 'user.pcap'), /user\.pcap: byte 20: link-layer type 147 is not supported/);
  // Only the global header: no UDP packets.
  assert.throws(() => readCapture(pcap.subarray(0, 24), 'empty.pcap'), /empty\.pcap: byte 24: no UDP packets/);
});

test('Ethernet padding after a short datagram and IPv4 options are read as tshark reads them', { skip: noTshark }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-media-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const clip = dtmfClip('5', { ssrc: 9, warmUp: false, toneMs: 60 }); // 16-octet RTP packets: 58-octet frames
  const pcap = writePcap(clip, { srcPort: 1, dstPort: 30000 });
  const records: Buffer[] = [pcap.subarray(0, 24)];
  for (let at = 24, i = 0; at < pcap.length; i++) {
    const len = pcap.readUInt32LE(at + 8);
    const frame = pcap.subarray(at + 16, at + 16 + len);
    let out: Buffer;
    if (i % 2 === 0) {
      // Pad to Ethernet's 60-octet minimum: the IPv4 total length, not the frame, says where the datagram ends.
      out = Buffer.concat([frame, Buffer.alloc(60 - len, 0xee)]);
    } else {
      // IHL 6: one word of options (four NOPs, RFC 791 §3.1) between the IPv4 header and UDP; checksum redone.
      const ip = Buffer.concat([frame.subarray(14, 34), Buffer.from([1, 1, 1, 1])]);
      ip[0] = 0x46;
      ip.writeUInt16BE(ip.readUInt16BE(2) + 4, 2);
      ip.writeUInt16BE(0, 10);
      let sum = 0;
      for (let k = 0; k < 24; k += 2) sum += ip.readUInt16BE(k);
      while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
      ip.writeUInt16BE(~sum & 0xffff, 10);
      out = Buffer.concat([frame.subarray(0, 14), ip, frame.subarray(34)]);
    }
    const header = Buffer.from(pcap.subarray(at, at + 16));
    header.writeUInt32LE(out.length, 8);
    header.writeUInt32LE(out.length, 12);
    records.push(header, out);
    at += 16 + len;
  }
  const file = join(dir, 'padded.pcap');
  writeFileSync(file, Buffer.concat(records));
  const read = readCapture(readFileSync(file), file);
  assertClipMatchesTshark(read, file, 30000);
  assert.deepEqual(
    read.packets.map((p) => p.length),
    clip.packets.map(() => 16),
  );
});
