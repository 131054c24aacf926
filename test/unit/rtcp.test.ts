import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writePcap } from '../../src/media/capture-write.js';
import { buildClip } from '../../src/media/clip-builder.js';
import { buildRtcpReport } from '../../src/media/rtcp.js';
import { noTshark, tsharkFields } from '../tshark.js';

const FIELDS = [
  'rtcp.pt',
  'rtcp.senderssrc',
  'rtcp.timestamp.ntp.msw',
  'rtcp.timestamp.rtp',
  'rtcp.sender.packetcount',
  'rtcp.sender.octetcount',
  'rtcp.ssrc.identifier',
  'rtcp.ssrc.fraction',
  'rtcp.ssrc.cum_nr',
  'rtcp.ssrc.ext_high',
  'rtcp.ssrc.jitter',
  'rtcp.sdes.text',
  'rtcp.length_check.bad',
];

/** tshark's reading of one datagram sent to UDP port 5005, decoded as RTCP. */
function decode(datagram: Buffer): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-rtcp-'));
  try {
    const file = join(dir, 'rtcp.pcap');
    writeFileSync(file, writePcap(buildClip([{ payload: datagram, timeUs: 0, dstPort: 5005 }]), { srcPort: 5007, dstPort: 5005 }));
    const [row = []] = tsharkFields(file, FIELDS, ['-d', 'udp.port==5005,rtcp']);
    return Object.fromEntries(FIELDS.map((f, i) => [f, row[i] ?? '']));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('RFC 3550 §6.4.1 SR + SDES CNAME, as tshark decodes it: every field a hand-set value', { skip: noTshark }, () => {
  const packet = buildRtcpReport({
    ssrc: 0x11223344,
    // 2026-01-01T00:00:00.500Z: NTP seconds = Unix seconds + 2208988800.
    sender: { wallclockMs: Date.UTC(2026, 0, 1, 0, 0, 0, 500), rtpTimestamp: 123456, packets: 20, octets: 3200 },
    blocks: [
      {
        ssrc: 0x5eed5eed,
        fractionLost: 17,
        cumulativeLost: 2,
        extendedHighestSeq: 65536 + 3,
        jitter: 12.4,
        lastSr: 0,
        delaySinceLastSr: 0,
      },
    ],
    cname: 'sipts@127.0.0.1',
  });
  assert.equal(packet.length, 28 + 24 + 4 + 4 + 20, 'SR with one block (52) + SDES (header, SSRC, 2 + 15 + 1 octets padded to 20)');
  const d = decode(packet);
  assert.equal(d['rtcp.pt'], '200,202');
  assert.equal(d['rtcp.senderssrc'], '0x11223344');
  assert.equal(Number(d['rtcp.timestamp.ntp.msw']), Date.UTC(2026, 0, 1) / 1000 + 2208988800);
  assert.equal(d['rtcp.timestamp.rtp'], '123456');
  assert.equal(d['rtcp.sender.packetcount'], '20');
  assert.equal(d['rtcp.sender.octetcount'], '3200');
  assert.equal(d['rtcp.ssrc.identifier'], '0x5eed5eed,0x11223344', "the block's source, then the SDES chunk's");
  assert.equal(d['rtcp.ssrc.fraction'], '17');
  assert.equal(d['rtcp.ssrc.cum_nr'], '2');
  assert.equal(d['rtcp.ssrc.ext_high'], '65539');
  assert.equal(d['rtcp.ssrc.jitter'], '12');
  assert.equal(d['rtcp.sdes.text'], 'sipts@127.0.0.1');
  assert.equal(d['rtcp.length_check.bad'], '', 'the length fields add up');
});

test('RFC 3550 §6.4.2 RR with no block (nothing received yet) and a negative cumulative loss kept signed', { skip: noTshark }, () => {
  const rr = decode(buildRtcpReport({ ssrc: 7, blocks: [], cname: 'x' }));
  assert.equal(rr['rtcp.pt'], '201,202');
  assert.equal(rr['rtcp.sender.packetcount'], '');
  const neg = buildRtcpReport({
    ssrc: 7,
    blocks: [{ ssrc: 9, fractionLost: 0, cumulativeLost: -3, extendedHighestSeq: 10, jitter: 0, lastSr: 0, delaySinceLastSr: 0 }],
    cname: 'x',
  });
  // -3 in 24 bits two's complement is 0xfffffd.
  assert.equal(neg.readUInt32BE(12) & 0xffffff, 0xfffffd);
  assert.equal(decode(neg)['rtcp.ssrc.cum_nr'], '-3');
});
