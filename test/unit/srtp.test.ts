import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { HmacSha1 } from '../../src/media/hmac-sha1.js';
import { SrtcpSender } from '../../src/media/srtcp.js';
import { aesCmKeystream, deriveSessionKeys, estimateRoc, SRTP_SUITES, SrtpContext, SrtpError } from '../../src/media/srtp.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
/** RFC 3711 Appendix B.3's master key and salt. */
const MASTER_KEY = hex('E1F97A0D3E018BE0D64FA32C06DE4139');
const MASTER_SALT = hex('0EC675AD498AFEEBB6960B3AABE6');

/** An RTP packet: V=2, PT 0, the given sequence number, timestamp and SSRC, a payload of 0, 1, 2, ... */
function rtp(seq: number, ts: number, ssrc: number, payloadBytes = 20): Buffer {
  const b = Buffer.alloc(12 + payloadBytes + 10);
  b[0] = 0x80;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(ts, 4);
  b.writeUInt32BE(ssrc, 8);
  for (let i = 0; i < payloadBytes; i++) b[12 + i] = i & 0xff;
  return b;
}

test('RFC 3711 B.2: the AES-CM keystream, its first three and last three blocks (65282 blocks)', () => {
  const key = hex('2B7E151628AED2A6ABF7158809CF4F3C');
  const iv = hex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000');
  const ks = aesCmKeystream(key, iv, 1044512);
  assert.equal(
    ks.subarray(0, 48).toString('hex').toUpperCase(),
    'E03EAD0935C95E80E166B16DD92B4EB4' + 'D23513162B02D0F72A43A2FE4A5F97AB' + '41E95B3BB0A2E8DD477901E4FCA894C0',
  );
  assert.equal(
    ks
      .subarray(ks.length - 48)
      .toString('hex')
      .toUpperCase(),
    'EC8CDF7398607CB0F2D21675EA9EA1E4' + '362B7C3C6773516318A077D7FC5073AE' + '6A2CC3787889374FBEB4C81B17BA6C44',
  );
});

test('RFC 3711 §4.1.1: protect() encrypts a zero payload into the keystream at the IV built by hand', () => {
  // B.2's session key and salt cannot come out of a master key, so the packet path's IV is checked with B.3's
  // derived keys: (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16), built here by hand and given to aesCmKeystream().
  const keys = deriveSessionKeys(MASTER_KEY, MASTER_SALT);
  const ssrc = 0x01020304;
  const seq = 0x0506;
  const iv = Buffer.alloc(16);
  keys.salt.copy(iv, 0);
  iv.writeUInt32BE((iv.readUInt32BE(4) ^ ssrc) >>> 0, 4);
  iv.writeUInt16BE(iv.readUInt16BE(12) ^ seq, 12);
  const expected = aesCmKeystream(keys.cipherKey, iv, 40);
  const packet = rtp(seq, 0, ssrc, 40);
  packet.fill(0, 12, 52);
  const ctx = new SrtpContext(MASTER_KEY, MASTER_SALT, SRTP_SUITES.AES_CM_128_HMAC_SHA1_80);
  assert.equal(ctx.protect(packet, 52), 62);
  assert.deepEqual(packet.subarray(12, 52), expected);
});

test('RFC 3711 B.3: key derivation (cipher key, cipher salt, auth key), byte for byte', () => {
  const k = deriveSessionKeys(MASTER_KEY, MASTER_SALT);
  assert.equal(k.cipherKey.toString('hex').toUpperCase(), 'C61E7A93744F39EE10734AFE3FF7A087');
  assert.equal(k.salt.toString('hex').toUpperCase(), '30CBBC08863D8C85D49DB34A9AE1');
  assert.equal(k.authKey.toString('hex').toUpperCase(), 'CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4');
});

// Made by libsrtp 2.5.0 (Debian's python3-pylibsrtp) from B.3's master key and salt: three packets across the
// sequence number wrap 0xfffe, 0xffff, 0x0000 (the third under ROC 1), for both tag lengths.
const LIBSRTP_80 = [
  '8000fffe00000010cafebabe714219762c661de23550eb84821a4dba260c49b0f2980e1345dc4661631f',
  '8000ffff00000020cafebabe58c43f542802acd92f48fe341db1b81cf83e8a0e66b4edff295e90962cf4',
  '8000000000000030cafebabe8f4650853339128665db16365a5b93fe316d25b68117ea115327ef380a14',
];
const LIBSRTP_32 = [
  '8000fffe00000010cafebabe714219762c661de23550eb84821a4dba260c49b0f2980e13',
  '8000ffff00000020cafebabe58c43f542802acd92f48fe341db1b81cf83e8a0e66b4edff',
  '8000000000000030cafebabe8f4650853339128665db16365a5b93fe316d25b68117ea11',
];

for (const [name, vectors] of [
  ['AES_CM_128_HMAC_SHA1_80', LIBSRTP_80],
  ['AES_CM_128_HMAC_SHA1_32', LIBSRTP_32],
] as const) {
  test(`${name}: protect() gives libsrtp's packets byte for byte, across the rollover 65535 -> 0`, () => {
    const ctx = new SrtpContext(MASTER_KEY, MASTER_SALT, SRTP_SUITES[name]);
    [0xfffe, 0xffff, 0].forEach((seq, i) => {
      const p = rtp(seq, 0x10 * (i + 1), 0xcafebabe);
      const n = ctx.protect(p, 32);
      assert.equal(p.subarray(0, n).toString('hex'), vectors[i]);
    });
    assert.equal(ctx.rocOf(0xcafebabe), 1);
  });

  test(`${name}: unprotect() opens libsrtp's packets, and the ROC follows the wrap`, () => {
    const ctx = new SrtpContext(MASTER_KEY, MASTER_SALT, SRTP_SUITES[name]);
    vectors.forEach((v, i) => {
      const b = hex(v);
      const n = ctx.unprotect(b, b.length);
      assert.equal(n, 32);
      assert.deepEqual(b.subarray(0, 32), rtp([0xfffe, 0xffff, 0][i] ?? 0, 0x10 * (i + 1), 0xcafebabe).subarray(0, 32));
    });
    assert.equal(ctx.rocOf(0xcafebabe), 1);
  });
}

test('a round trip: 70,000 packets (one ROC wrap) from a sender to a receiver with the same key', () => {
  const key = hex('00112233445566778899aabbccddeeff');
  const salt = hex('0102030405060708090a0b0c0d0e');
  const tx = new SrtpContext(key, salt, SRTP_SUITES.AES_CM_128_HMAC_SHA1_80);
  const rx = new SrtpContext(key, salt, SRTP_SUITES.AES_CM_128_HMAC_SHA1_80);
  for (let k = 0; k < 70_000; k++) {
    const seq = (60_000 + k) & 0xffff;
    const p = rtp(seq, k * 160, 0x11223344, 160);
    const plain = Buffer.from(p.subarray(0, 172));
    const n = tx.protect(p, 172);
    assert.equal(n, 182);
    if (k === 0) assert.notDeepEqual(p.subarray(12, 172), plain.subarray(12));
    assert.equal(rx.unprotect(p, n), 172, `packet ${k}`);
    if (k % 997 === 0) assert.deepEqual(p.subarray(0, 172), plain);
  }
  assert.equal(tx.rocOf(0x11223344), 1);
  assert.equal(rx.rocOf(0x11223344), 1);
});

test('a tampered packet, a wrong key and a short datagram are refused; the source state does not move', () => {
  const tx = new SrtpContext(MASTER_KEY, MASTER_SALT, SRTP_SUITES.AES_CM_128_HMAC_SHA1_80);
  const rx = new SrtpContext(MASTER_KEY, MASTER_SALT, SRTP_SUITES.AES_CM_128_HMAC_SHA1_80);
  const p = rtp(100, 0, 7);
  const n = tx.protect(p, 32);
  for (const at of [1, 5, 20, n - 1]) {
    const t = Buffer.from(p.subarray(0, n));
    t[at] = (t[at] ?? 0) ^ 0x01;
    assert.equal(rx.unprotect(t, n), SrtpError.AuthFailed, `bit flipped at ${at}`);
  }
  const other = new SrtpContext(hex('ffeeddccbbaa99887766554433221100'), MASTER_SALT, SRTP_SUITES.AES_CM_128_HMAC_SHA1_80);
  assert.equal(other.unprotect(Buffer.from(p.subarray(0, n)), n), SrtpError.AuthFailed);
  assert.equal(rx.unprotect(Buffer.alloc(15), 15), SrtpError.Malformed);
  assert.equal(rx.unprotect(p, n), 32, 'the untouched packet still opens');
});

test('NULL cipher (and UNENCRYPTED_SRTP): the payload stays in clear, the tag still authenticates it', () => {
  const tx = new SrtpContext(MASTER_KEY, MASTER_SALT, SRTP_SUITES.NULL_HMAC_SHA1_32);
  const p = rtp(1, 0, 9);
  const plain = Buffer.from(p.subarray(0, 32));
  assert.equal(tx.protect(p, 32), 36);
  assert.deepEqual(p.subarray(0, 32), plain);
  const rx = new SrtpContext(MASTER_KEY, MASTER_SALT, SRTP_SUITES.NULL_HMAC_SHA1_32);
  p[20] = (p[20] ?? 0) ^ 0xff;
  assert.equal(rx.unprotect(p, 36), SrtpError.AuthFailed);
});

test('Appendix A: the index estimate around the wrap, both ways', () => {
  assert.equal(estimateRoc({ roc: 3, highest: 65500 }, 10), 4, 'just past the wrap: the next ROC');
  assert.equal(estimateRoc({ roc: 3, highest: 65500 }, 65400), 3);
  assert.equal(estimateRoc({ roc: 3, highest: 10 }, 65500), 2, 'late packet from before the wrap: the previous ROC');
  assert.equal(estimateRoc({ roc: 3, highest: 10 }, 11), 3);
  assert.equal(estimateRoc({ roc: 0, highest: -1 }, 65535), 0, "a source's first packet");
});

test('HMAC-SHA1: RFC 2202 test cases 1, 2 and 3; a key longer than a block is refused (SRTP keys are 20 octets)', () => {
  const none = new Uint8Array(0);
  const mac = (key: Buffer, data: Buffer): string => Buffer.from(new HmacSha1(key).mac(data, data.length, none)).toString('hex');
  assert.equal(mac(Buffer.alloc(20, 0x0b), Buffer.from('Hi There')), 'b617318655057264e28bc0b6fb378c8ef146be00');
  assert.equal(mac(Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?')), 'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79');
  assert.equal(mac(Buffer.alloc(20, 0xaa), Buffer.alloc(50, 0xdd)), '125d7342b9ac11cd91a39af48aa17b4f63f175d3');
  assert.throws(() => new HmacSha1(Buffer.alloc(80, 0xaa)), /at most 64/);
});

test('HMAC-SHA1: the same digest as node:crypto for every length 0..300 around the block edges, with a 4-octet suffix', () => {
  const key = randomBytes(20);
  const h = new HmacSha1(key);
  const data = randomBytes(300);
  const roc = randomBytes(4);
  for (let n = 0; n <= 300; n++) {
    const want = createHmac('sha1', key).update(data.subarray(0, n)).update(roc).digest('hex');
    assert.equal(Buffer.from(h.mac(data, n, roc)).toString('hex'), want, `length ${n}`);
  }
});

test("SRTCP: protect() gives libsrtp's packets byte for byte (indices 1 and 2, an 80-bit tag for both suites)", () => {
  // Made by libsrtp 2.5.0 (python3-pylibsrtp protect_rtcp) from B.3's master key and salt, for an SR of
  // SSRC 0xcafebabe; the same with AES_CM_128_HMAC_SHA1_32, whose SRTCP tag is 80 bits too (RFC 4568 §6.2).
  const sr = hex('80c80006cafebabe' + 'e9a1b2c3d4e5f601' + '00001000' + '00000014' + '00000c80');
  const s = new SrtcpSender(MASTER_KEY, MASTER_SALT, true);
  assert.equal(s.protect(sr).toString('hex'), '80c80006cafebabe33221a339bc9e41715532bea52dc0e177e441faa80000001925bfe8c89aff2b6fc1e');
  assert.equal(s.protect(sr).toString('hex'), '80c80006cafebabe20132d82e036d170793e080eb97317e094f09a378000000287df9971d3b9b7165906');
});
