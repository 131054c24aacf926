/**
 * 3GPP TS 35.206 Milenage (f1, f2, f5) for SIP AKA (RFC 3310): from K, OP and the RAND/AUTN of a nonce,
 * the RES that is the digest password of AKAv1-MD5.
 */
import { createCipheriv } from 'node:crypto';

function aes(key: Buffer, block: Buffer): Buffer {
  const c = createCipheriv('aes-128-ecb', key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}

const xor = (a: Buffer, b: Buffer): Buffer => Buffer.from(a.map((v, i) => v ^ (b[i] ?? 0)));

/** Cyclic left rotation of a 128-bit block by a multiple of 8 bits (r1..r5 are 64, 0, 32, 64, 96). */
const rot = (x: Buffer, bits: number): Buffer => Buffer.concat([x.subarray(bits / 8), x.subarray(0, bits / 8)]);

/** c_i: 127 zero bits then i (TS 35.206 §4.1: c1 = 0, c2 = 1, c3 = 2, c4 = 4, c5 = 8). */
const constant = (i: number): Buffer => {
  const b = Buffer.alloc(16);
  b[15] = i;
  return b;
};

export function opc(k: Buffer, op: Buffer): Buffer {
  return xor(aes(k, op), op);
}

export interface MilenageOut {
  readonly macA: Buffer;
  readonly res: Buffer;
  readonly ck: Buffer;
  readonly ik: Buffer;
  readonly ak: Buffer;
}

export function milenage(k: Buffer, opC: Buffer, rand: Buffer, sqn: Buffer, amf: Buffer): MilenageOut {
  const temp = aes(k, xor(rand, opC));
  const in1 = Buffer.concat([sqn, amf, sqn, amf]);
  const out1 = xor(aes(k, xor(xor(temp, rot(xor(in1, opC), 64)), constant(0))), opC);
  const out = (r: number, c: number): Buffer => xor(aes(k, xor(rot(xor(temp, opC), r), constant(c))), opC);
  const out2 = out(0, 1);
  return { macA: out1.subarray(0, 8), res: out2.subarray(8, 16), ak: out2.subarray(0, 6), ck: out(32, 2), ik: out(64, 4) };
}

/**
 * RES for an AKA nonce (base64 of RAND || AUTN, RFC 3310 §3.2): AUTN = SQN ⊕ AK || AMF || MAC. The AMF of
 * the AUTN is used; the MAC is not checked (a load tester trusts its network).
 */
export function akaResponse(nonce: string, kHex: string, opHex: string): Buffer | undefined {
  const raw = Buffer.from(nonce, 'base64');
  if (raw.length < 32 || !/^[0-9a-fA-F]{32}$/.test(kHex) || !/^[0-9a-fA-F]{32}$/.test(opHex)) return undefined;
  const k = Buffer.from(kHex, 'hex');
  const opC = opc(k, Buffer.from(opHex, 'hex'));
  const rand = raw.subarray(0, 16);
  const autn = raw.subarray(16, 32);
  const { ak } = milenage(k, opC, rand, Buffer.alloc(6), autn.subarray(6, 8));
  const sqn = xor(autn.subarray(0, 6), ak);
  return milenage(k, opC, rand, sqn, autn.subarray(6, 8)).res;
}
