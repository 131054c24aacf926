import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writePcap } from '../../src/media/capture-write.js';
import { dtmfClip, dtmfEventCode, parsePlayDtmf } from '../../src/media/dtmf.js';
import { asRtp, noSipTester, noTshark, SIP_TESTER_DIR, tsharkFields } from '../tshark.js';

const EVENT_FIELDS = [
  'rtp.marker',
  'rtpevent.event_id',
  'rtpevent.end_of_event',
  'rtpevent.volume',
  'rtpevent.duration',
  'rtp.timestamp',
  'rtp.seq',
  'rtp.p_type',
];

/** Digit of a Debian sample file name: dtmf_2833_7.pcap -> 7, _star -> *, _pound -> #. */
function digitOf(name: string): string {
  const tail = name.replace(/^dtmf_2833_/, '').replace(/\.pcap$/, '');
  return tail === 'star' ? '*' : tail === 'pound' ? '#' : tail;
}

test(
  "play_dtmf packets agree with SIPp's recorded RFC 2833 samples (Debian sip-tester) as tshark decodes both: event id, end bits, marker",
  { skip: noTshark || noSipTester },
  (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sipts-media-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const files = readdirSync(SIP_TESTER_DIR).filter((f) => /^dtmf_2833_.*\.pcap$/.test(f));
    assert.equal(files.length, 12);
    for (const name of files) {
      const digit = digitOf(name);
      const theirs = tsharkFields(join(SIP_TESTER_DIR, name), EVENT_FIELDS, asRtp(10000, 101));
      // The recording's updates are 20 ms apart; a tone of (updates x 20) ms gives as many.
      const updates = theirs.filter((r) => r[2] === '0').length;
      const clip = dtmfClip(digit, { toneMs: updates * 20, ssrc: 0x5150, warmUp: false });
      const file = join(dir, name);
      writeFileSync(file, writePcap(clip, { srcPort: 10002, dstPort: 10000 }));
      const ours = tsharkFields(file, EVENT_FIELDS, asRtp(10000, 96));
      const shape = (rows: string[][]): string[] => rows.map(([marker, event, end]) => `${marker}/${event}/${end}`);
      assert.deepEqual(shape(ours), shape(theirs), `${name}: marker/event/end of each packet`);
      assert.equal(ours[0]?.[1], String(dtmfEventCode(digit)));
      // Both: volume 10, one timestamp for the whole event, durations growing from 0 and the end's the largest.
      for (const rows of [ours, theirs]) {
        assert.deepEqual([...new Set(rows.map((r) => r[3]))], ['10'], name);
        assert.equal(new Set(rows.map((r) => r[5])).size, 1, name);
        const durations = rows.map((r) => Number(r[4]));
        assert.equal(durations[0], 0);
        for (let i = 1; i < durations.length; i++) assert.ok((durations[i] ?? 0) >= (durations[i - 1] ?? 0), `${name}: durations grow`);
      }
    }
  },
);

test(
  'play_dtmf="123#*ABCD": SIPp\'s defaults (200 ms tones, PT 96, 400 ms of no-op first) as tshark decodes them',
  { skip: noTshark },
  (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sipts-media-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const { digits, toneMs } = parsePlayDtmf('123#*ABCD');
    const clip = dtmfClip(digits, { toneMs, ssrc: 0x01020305, firstSeq: 1000, firstTimestamp: 24000 });
    const file = join(dir, 'dtmf.pcap');
    writeFileSync(file, writePcap(clip, { srcPort: 10002, dstPort: 10000 }));
    const rows = tsharkFields(file, [...EVENT_FIELDS, 'frame.time_relative'], asRtp(10000, 96));
    // 20 no-op packets, then per digit 10 updates (0..180 ms) and 3 end packets.
    assert.equal(rows.length, 20 + 9 * 13);
    rows.slice(0, 20).forEach((r, i) => {
      assert.equal(r[7], '97');
      assert.equal(Number(r[5]), 24000 + 160 * i);
    });
    const events = rows.slice(20);
    assert.deepEqual(
      events.filter((r) => r[0] === '1').map((r) => r[1]),
      ['1', '2', '3', '11', '10', '12', '13', '14', '15'],
    );
    events.forEach((r, i) => {
      const k = i % 13;
      const digit = Math.floor(i / 13);
      assert.equal(r[2], k >= 10 ? '1' : '0', 'end bit on the last three');
      // Durations in 8 kHz units: 20 ms updates -> 0, 160 ... 1440; the end packets the whole 200 ms = 1600.
      assert.equal(Number(r[4]), k >= 10 ? 1600 : 160 * k);
      // A digit every 400 ms (tone + as much silence), the first 400 ms after the no-ops: 800 ms in.
      const eventMs = 400 + (digit + 1) * 400;
      assert.equal(Number(r[5]), 24000 + eventMs * 8);
      const atMs = k >= 10 ? eventMs + 200 + (k - 9) : eventMs + 20 * k;
      assert.equal(Math.round(Number(r[8]) * 1000), atMs);
    });
    // Every packet its own sequence number, by one.
    assert.deepEqual(
      rows.map((r) => Number(r[6])),
      rows.map((_, i) => 1000 + i),
    );
  },
);

test("play_dtmf argument: digits[,ms], with SIPp's fallback to 200 ms outside 50..2000", () => {
  assert.deepEqual(parsePlayDtmf('12'), { digits: '12', toneMs: 200 });
  assert.deepEqual(parsePlayDtmf('12,80'), { digits: '12', toneMs: 80 });
  const r = parsePlayDtmf('5,3000');
  assert.equal(r.toneMs, 200);
  assert.match(r.warning ?? '', /outside 50\.\.2000 ms: 200 ms is used, as SIPp does/);
  // RFC 4733 §3.2 event codes; other characters are skipped as SIPp does.
  assert.deepEqual('0189*#ABCDxe'.split('').map(dtmfEventCode), [0, 1, 8, 9, 10, 11, 12, 13, 14, 15, undefined, undefined]);
  assert.equal(dtmfClip('x', { ssrc: 1 }).packets.length, 0);
});
