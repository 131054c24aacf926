/**
 * What SRTP costs per packet: CPU µs per protect() and per unprotect() of a 172-octet RTP packet (12-octet header,
 * 160 octets of G.711 = 20 ms), AES_CM_128_HMAC_SHA1_80, the median of rounds after a warm-up. Beside it, the
 * same HMAC made with createHmac() per packet, to show what the precomputed inner and outer states save.
 * Run by hand: `npx tsc -p tsconfig.json && node dist/bench/srtp.js`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { SRTP_SUITES, SrtpContext } from '../src/media/srtp.js';
import { median } from './measure.js';

const N = 100_000;
const ROUNDS = 7;

/** CPU time (user + system) per call of `op`, not wall time: other processes on the machine count less. */
function timeUs(op: (i: number) => void): number {
  const us: number[] = [];
  for (let r = 0; r <= ROUNDS; r++) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < N; i++) op(i);
    const d = process.cpuUsage(t0);
    if (r > 0) us.push((d.user + d.system) / N);
  }
  return median(us);
}

const key = randomBytes(16);
const salt = randomBytes(14);
const tx = new SrtpContext(key, salt, SRTP_SUITES.AES_CM_128_HMAC_SHA1_80);
const rx = new SrtpContext(key, salt, SRTP_SUITES.AES_CM_128_HMAC_SHA1_80);
const packet = Buffer.alloc(182);
packet[0] = 0x80;
packet.writeUInt32BE(0x12345678, 8);

const protectUs = timeUs((i) => {
  packet.writeUInt16BE(i & 0xffff, 2);
  tx.protect(packet, 172);
});

// Protected packets made ahead, so that unprotect() is timed alone; opened in place, so each is copied back
// first. 1,024 of them, cycled: no replay list, and their sequence numbers stay in one rollover period.
const SEALED = 1024;
const sealed: Buffer[] = [];
const sender = new SrtpContext(key, salt, SRTP_SUITES.AES_CM_128_HMAC_SHA1_80);
for (let i = 0; i < SEALED; i++) {
  const p = Buffer.alloc(182);
  p[0] = 0x80;
  p.writeUInt16BE(i, 2);
  p.writeUInt32BE(0x12345678, 8);
  sender.protect(p, 172);
  sealed.push(p);
}
const work = Buffer.alloc(182);
let failed = 0;
const unprotectUs = timeUs((i) => {
  (sealed[i % SEALED] as Buffer).copy(work);
  if (rx.unprotect(work, 182) < 0) failed++;
});

const authKey = randomBytes(20);
const roc = Buffer.alloc(4);
const createHmacUs = timeUs(() => {
  createHmac('sha1', authKey).update(packet.subarray(0, 172)).update(roc).digest();
});

console.log(`SRTP AES_CM_128_HMAC_SHA1_80, 172-octet RTP packets, node ${process.version}:`);
console.log(`  protect    ${protectUs.toFixed(2)} µs/packet`);
console.log(`  unprotect  ${unprotectUs.toFixed(2)} µs/packet (includes a 182-octet copy)`);
console.log(`  (for scale: createHmac('sha1') per packet alone ${createHmacUs.toFixed(2)} µs)`);
if (failed > 0) console.log(`  ${failed} packets failed to authenticate: the benchmark is wrong`);
