/**
 * Issue 18: the RTP echo against SIPp's -rtp_echo. The same probes go to SIPp 3.6.1 (-mp P -mb 100) and to
 * two of our RtpEcho sockets laid out as SIPp lays its own (P and P + 2, nothing on P + 1):
 * - every datagram is echoed to its sender, RTP and RTCP alike (SIPp does not look at what it echoes);
 * - a datagram longer than -mb comes back cut to -mb bytes;
 * - nothing answers on P + 1 (SIPp keeps it for RTCP and binds nothing there).
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RtpEcho } from '../../src/media/rtp-echo.js';
import { portTaken, sippAvailable, startSippUas, waitForUdpBound } from '../helpers.js';

const skip = sippAvailable() ? false : 'sipp is not installed (apt-get install sip-tester)';

const RTP_300 = Buffer.concat([Buffer.from([0x80, 0, 0, 1, 0, 0, 0, 160, 1, 2, 3, 4]), Buffer.alloc(288, 0xd5)]);
const RTCP_RR = Buffer.from([0x80, 201, 0, 1, 1, 2, 3, 4]);

/** What comes back from base, base + 1 and base + 2 for each probe: echoed lengths by port offset. */
async function probe(base: number): Promise<Record<number, number[]>> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const got: Record<number, number[]> = { 0: [], 1: [], 2: [] };
  s.on('message', (m, rinfo) => got[rinfo.port - base]?.push(m.length));
  try {
    // P + 1 first: by the time both echoes from P and P + 2 are back, a reply from P + 1 would have had its chance
    // (then a further 200 ms for a late one: a negative can only be waited for).
    for (const offset of [1, 0, 2]) for (const d of [RTP_300, RTCP_RR]) s.send(d, base + offset, '127.0.0.1');
    const end = Date.now() + 5000;
    while (((got[0]?.length ?? 0) < 2 || (got[2]?.length ?? 0) < 2) && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    s.close();
  }
  for (const k of [0, 1, 2]) got[k]?.sort((a, b) => a - b);
  return got;
}

async function freeTriple(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + 2 * Math.floor(Math.random() * 19_000);
    if (!(await portTaken(base, false)) && !(await portTaken(base + 1, false)) && !(await portTaken(base + 2, false))) return base;
  }
  throw new Error('no three free UDP ports in a row found');
}

test(
  'RtpEcho echoes as SIPp -rtp_echo -mb 100 does: everything to its sender, cut to -mb, on -mp and -mp + 2 only',
  { skip, timeout: 60_000 },
  async (t) => {
    const work = mkdtempSync(join(tmpdir(), 'sipts-media-echo-'));
    const mp = await freeTriple();
    const sipp = await startSippUas(work, 'uas', ['-mi', '127.0.0.1', '-mp', String(mp), '-rtp_echo', '-mb', '100']);
    t.after(() => sipp.child.kill('SIGKILL'));
    await waitForUdpBound(mp);
    await waitForUdpBound(mp + 2);
    const fromSipp = await probe(mp);

    const ours = await freeTriple();
    const audio = await RtpEcho.open('127.0.0.1', ours, 100);
    const video = await RtpEcho.open('127.0.0.1', ours + 2, 100);
    t.after(() => {
      audio.close();
      video.close();
    });
    const fromUs = await probe(ours);

    // SIPp's answer, as measured: 8 and 100 bytes back from P and P + 2, nothing from P + 1.
    assert.deepEqual(fromSipp, { 0: [8, 100], 1: [], 2: [8, 100] });
    assert.deepEqual(fromUs, fromSipp);
  },
);
