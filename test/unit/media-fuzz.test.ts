import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { writePcap, writePcapng } from '../../src/media/capture-write.js';
import { SiptsError } from '../../src/errors.js';
import { LINKTYPE_IEEE802_11_RADIOTAP, LINKTYPE_LINUX_SLL2, LINKTYPE_NULL } from '../../src/media/frame-decode.js';
import { readCapture } from '../../src/media/pcap.js';
import { parseRtpHeader } from '../../src/media/rtp-packet.js';
import { toneClip, toneWav } from '../../src/media/tone.js';
import { readAudio } from '../../src/media/wav.js';

/** A damaged file is a user error (SiptsError MEDIA_FILE naming the file), never a crash. */
function readsOrRefuses(read: () => unknown): void {
  try {
    read();
  } catch (e) {
    assert.ok(e instanceof SiptsError && e.code === 'MEDIA_FILE', `not a media-file error: ${String(e)}`);
    assert.match(e.message, /^f: byte \d+: /);
  }
}

const clip = toneClip('ulaw', { durationMs: 60 });
const files = [
  writePcap(clip, { srcPort: 1, dstPort: 2 }),
  writePcap(clip, {
    srcPort: 1,
    dstPort: 2,
    littleEndian: false,
    nanoseconds: true,
    linkType: LINKTYPE_NULL,
    ipVersion: 6,
    ipv6HopByHop: true,
  }),
  writePcapng(clip, { srcPort: 1, dstPort: 2, nanoseconds: true, vlan: 3 }),
  writePcapng(clip, { srcPort: 1, dstPort: 2, littleEndian: false, linkType: LINKTYPE_LINUX_SLL2 }),
  writePcap(clip, { srcPort: 1, dstPort: 2, linkType: LINKTYPE_IEEE802_11_RADIOTAP }),
];

test('captures cut at every length are read or refused with a media-file error', () => {
  for (const f of files) for (let n = 0; n <= f.length; n++) readsOrRefuses(() => readCapture(f.subarray(0, n), 'f'));
});

test('captures with random octets changed are read or refused with a media-file error', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: files.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      (which, edits) => {
        const f = Buffer.from(files[which] ?? Buffer.alloc(0));
        for (const [at, v] of edits) f[at % f.length] = v;
        readsOrRefuses(() => readCapture(f, 'f'));
      },
    ),
    { numRuns: 3000 },
  );
});

test('WAV files cut or changed, and any octets as an RTP header, never crash', () => {
  const wav = toneWav('alaw', { durationMs: 20 });
  for (let n = 0; n <= wav.length; n++) readsOrRefuses(() => readAudio(wav.subarray(0, n), 'f', 'ulaw'));
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (edits) => {
      const f = Buffer.from(wav);
      for (const [at, v] of edits) f[at % f.length] = v;
      readsOrRefuses(() => readAudio(f, 'f', 'alaw'));
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      const h = parseRtpHeader(b);
      if (h !== undefined) assert.ok(h.payloadOffset + h.payloadLength <= b.length);
    }),
  );
});
