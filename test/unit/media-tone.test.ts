import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writePcap, writePcapng } from '../../src/media/capture-write.js';
import { packetiseG711 } from '../../src/media/packetise.js';
import { toneClip } from '../../src/media/tone.js';
import { noAudioop, python } from '../python.js';
import { asRtp, noTshark, tsharkFields } from '../tshark.js';

test(
  'a 1 s tone as pcap and pcapng: tshark reads 50 RTP packets 20 ms apart, PCMU/PCMA, seq +1, timestamp +160, 160-octet payloads',
  { skip: noTshark },
  (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sipts-media-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    for (const law of ['ulaw', 'alaw'] as const) {
      const clip = toneClip(law, { durationMs: 1000 });
      for (const ng of [false, true]) {
        const file = join(dir, `tone-${law}.${ng ? 'pcapng' : 'pcap'}`);
        writeFileSync(file, (ng ? writePcapng : writePcap)(clip, { srcPort: 9000, dstPort: 9002, startUs: 1_000_000_000_000 }));
        const rows = tsharkFields(
          file,
          ['rtp.seq', 'rtp.timestamp', 'rtp.p_type', 'rtp.marker', 'frame.time_relative', 'rtp.payload', 'ip.checksum.status'],
          [...asRtp(9002), '-o', 'ip.check_checksum:TRUE'],
        );
        assert.equal(rows.length, 50, file);
        rows.forEach(([seq, ts, pt, marker, rel, payload, ipOk], i) => {
          assert.equal(Number(seq), i);
          assert.equal(Number(ts), 160 * i);
          assert.equal(Number(pt), law === 'ulaw' ? 0 : 8);
          // RFC 3551 §4.1: the marker is set on the first packet of a talkspurt.
          assert.equal(marker, i === 0 ? '1' : '0');
          assert.equal(Math.round(Number(rel) * 1e6), 20_000 * i);
          assert.equal(payload?.length, 320);
          assert.equal(ipOk, '1', 'tshark finds the IPv4 header checksum good'); // 0 bad, 1 good, 2 unverified
        });
      }
    }
  },
);

test('a tone as µ-law RTP decodes with audioop to a sine of the frequency asked for', { skip: noAudioop }, () => {
  const clip = toneClip('ulaw', { frequencyHz: 500, durationMs: 400 });
  const payloads = Buffer.concat(clip.packets.map((p) => p.subarray(12)));
  const pcm = python('import audioop, sys\nsys.stdout.buffer.write(audioop.ulaw2lin(sys.stdin.buffer.read(), 2))', payloads);
  let crossings = 0;
  for (let i = 1; i < pcm.length / 2; i++) if (pcm.readInt16LE(2 * i - 2) < 0 !== pcm.readInt16LE(2 * i) < 0) crossings++;
  // 500 Hz for 0.4 s: 200 periods, 2 crossings each.
  assert.ok(Math.abs(crossings - 400) <= 2, `crossings ${crossings}`);
});

test('packetising: a last partial packet is filled with silence (µ-law 0xFF, A-law 0xD5) to a full 20 ms', () => {
  const clip = packetiseG711(Buffer.alloc(170, 0x12), 'alaw', { ssrc: 7, firstSeq: 65535, firstTimestamp: 100 });
  assert.equal(clip.packets.length, 2);
  const last = clip.packets[1];
  assert.ok(last !== undefined);
  assert.equal(last.length, 12 + 160);
  // seq wraps 65535 -> 0; timestamp 100 + 160 = 260 = 0x104.
  assert.equal(last.subarray(0, 12).toString('hex'), '800800000000010400000007');
  assert.deepEqual([...new Set(last.subarray(12 + 10))], [0xd5]);
  assert.deepEqual([...new Set(last.subarray(12, 22))], [0x12]);
  assert.equal(clip.streams[0]?.timestampStep, 160);
});
