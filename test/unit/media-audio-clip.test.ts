import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { audioClip, loadAudioClip } from '../../src/media/audio-clip.js';
import { writePcap } from '../../src/media/capture-write.js';
import { g711Wav, toneWav } from '../../src/media/tone.js';
import { asRtp, noTshark, tsharkFields } from '../tshark.js';

const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => i + 1));

test(
  'rtp_stream packet sizes (SIPp 3.6.1): G.729 20 octets / 20 ms / +160, iLBC (98) 50 / 30 ms / +240, as tshark decodes them',
  { skip: noTshark },
  (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sipts-media-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    for (const [pt, size, fileBytes, ms, ticks] of [
      [18, 20, 50, 20, 160],
      [98, 50, 120, 30, 240],
    ] as const) {
      const clip = audioClip(bytes(fileBytes), 'x.raw', pt, 0x42);
      const file = join(dir, `${pt}.pcap`);
      writeFileSync(file, writePcap(clip, { srcPort: 8000, dstPort: 8002 }));
      const rows = tsharkFields(file, ['rtp.p_type', 'rtp.seq', 'rtp.timestamp', 'frame.time_relative', 'rtp.payload'], asRtp(8002));
      assert.equal(rows.length, 3);
      rows.forEach(([p, seq, ts, rel, payload], i) => {
        assert.deepEqual([Number(p), Number(seq), Number(ts), Math.round(Number(rel) * 1000)], [pt, i, ticks * i, ms * i]);
        assert.equal(payload?.length, 2 * size);
      });
      // The last packet: the file's last octets, then (SIPp's circular playback) its first ones.
      const tail = fileBytes - 2 * size;
      const expected = Buffer.concat([bytes(fileBytes).subarray(2 * size), bytes(size - tail)]);
      assert.equal(rows[2]?.[4], expected.toString('hex'));
    }
  },
);

test('rtp_stream with PCMA: a µ-law WAV is transcoded, raw bytes are taken as A-law, 160 octets a packet', () => {
  const wav = toneWav('ulaw', { durationMs: 60 });
  const clip = audioClip(wav, 't.wav', 8, 1);
  assert.equal(clip.packets.length, 3);
  assert.equal(clip.packets[0]?.[1], 0x80 | 8, 'marker and PT 8');
  const raw = audioClip(Buffer.alloc(320, 0xd5), 'r.al', 8, 1);
  assert.equal(raw.packets.length, 2);
  assert.equal(raw.streams[0]?.timestampStep, 160);
  // A WAV of another codec: its data chunk is what is streamed (g711Wav's layout puts the samples at 58).
  const g722 = g711Wav(bytes(160), 'alaw');
  assert.equal(audioClip(g722, 'g.wav', 9, 1).packets[0]?.subarray(12).toString('hex'), bytes(160).toString('hex'));
});

test('rtp_stream errors: a payload type without packet sizes, a missing file', () => {
  assert.throws(() => audioClip(bytes(10), 'x.raw', 3, 1), /^SiptsError: x\.raw: byte 0: rtp_stream has no packet size for payload type 3/);
  assert.throws(() => loadAudioClip('/nonexistent/a.wav', 8, 1), /\/nonexistent\/a\.wav: byte 0: cannot read the audio file/);
});
