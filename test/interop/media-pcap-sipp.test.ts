import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writePcap, writePcapng } from '../../src/media/capture-write.js';
import type { MediaClip } from '../../src/media/clip.js';
import { LINKTYPE_IEEE802_11_RADIOTAP, LINKTYPE_LINUX_SLL } from '../../src/media/frame-decode.js';
import { readCapture } from '../../src/media/pcap.js';
import { toneClip } from '../../src/media/tone.js';
import { sippAvailable } from '../helpers.js';
import { noSipTester, SIP_TESTER_DIR } from '../tshark.js';
import { sippMediaProbe } from './sipp-media-probe.js';

/** SIPp's play_pcap_audio sends each UDP payload of the file unchanged: what it sends is what sipts's clip holds. */
async function assertSippPlays(t: { after: (f: () => void) => void }, file: string, clip: MediaClip): Promise<void> {
  const durationMs = (clip.offsetsUs[clip.offsetsUs.length - 1] ?? 0) / 1000;
  const got = await sippMediaProbe(t, `play_pcap_audio="${file}"`, Math.ceil(durationMs) + 1500);
  assert.equal(got.length, clip.packets.length, `${file}: packets SIPp sent`);
  got.forEach((g, i) => assert.equal(g.packet.toString('hex'), clip.packets[i]?.toString('hex'), `${file}: packet ${i}`));
  // Paced as recorded: the last packet about the clip's length after the first (a loaded machine may add a little).
  const spanMs = (got[got.length - 1]?.atMs ?? 0) - (got[0]?.atMs ?? 0);
  assert.ok(Math.abs(spanMs - durationMs) < 100, `${file}: SIPp took ${spanMs.toFixed(0)} ms, the clip ${durationMs} ms`);
}

test(
  "play_pcap_audio of SIPp's g711a.pcap: SIPp 3.6.1 sends exactly the clip sipts reads, packet for packet",
  { skip: !sippAvailable() || noSipTester, timeout: 60_000 },
  async (t) => {
    const file = join(SIP_TESTER_DIR, 'g711a.pcap');
    await assertSippPlays(t, file, readCapture(readFileSync(file), file));
  },
);

test(
  'play_pcap_audio of captures sipts writes (pcap big-endian ns with a VLAN tag; pcapng Linux cooked): SIPp reads and plays them as sipts reads them',
  { skip: !sippAvailable(), timeout: 60_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sipts-pcap-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const tone = toneClip('alaw', { durationMs: 600 });
    const a = join(dir, 'vlan.pcap');
    writeFileSync(
      a,
      writePcap(tone, { srcPort: 4000, dstPort: 5000, littleEndian: false, nanoseconds: true, vlan: 12, startUs: 1_764_000_000_000_000 }),
    );
    await assertSippPlays(t, a, readCapture(readFileSync(a), a));
    const b = join(dir, 'sll.pcapng');
    writeFileSync(b, writePcapng(tone, { srcPort: 4000, dstPort: 5000, linkType: LINKTYPE_LINUX_SLL }));
    await assertSippPlays(t, b, readCapture(readFileSync(b), b));
  },
);

test(
  'play_pcap_audio of a radiotap + 802.11 capture: SIPp 3.6.1 sends nothing (it misreads the frame control), sipts reads every packet',
  { skip: !sippAvailable(), timeout: 60_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sipts-pcap-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const tone = toneClip('alaw', { durationMs: 200 });
    const file = join(dir, 'wifi.pcap');
    writeFileSync(file, writePcap(tone, { srcPort: 4000, dstPort: 5000, linkType: LINKTYPE_IEEE802_11_RADIOTAP }));
    // tshark decodes these frames (test/unit/media-pcap.test.ts); SIPp takes no packet from them.
    assert.equal((await sippMediaProbe(t, `play_pcap_audio="${file}"`, 1000)).length, 0);
    assert.equal(readCapture(readFileSync(file), file).packets.length, 10);
  },
);
