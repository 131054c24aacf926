import assert from 'node:assert/strict';
import { test } from 'node:test';
import { negotiateSdes } from '../../src/media/sdes.js';
import { parseCryptoLine, sdpCrypto, type SdesCrypto } from '../../src/media/sdp-crypto.js';

const K1 = 'WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz';
const K2 = 'PS1uQCVUCvD7kzE3dPzoUEJDrFiv48/jyyIA3SUl';

test('RFC 4568 §9.1 / §10 example lines: tag, suite, the first inline key without lifetime and MKI, UNENCRYPTED_SRTP', () => {
  assert.deepEqual(parseCryptoLine(`1 AES_CM_128_HMAC_SHA1_80 inline:${K1}|2^20|1:4 FEC_ORDER=FEC_SRTP`), {
    tag: 1,
    suite: 'AES_CM_128_HMAC_SHA1_80',
    key: K1,
    unencrypted: false,
  });
  assert.deepEqual(parseCryptoLine(`2 AES_CM_128_HMAC_SHA1_32 inline:${K2};inline:${K1} UNENCRYPTED_SRTP`), {
    tag: 2,
    suite: 'AES_CM_128_HMAC_SHA1_32',
    key: K2,
    unencrypted: true,
  });
  assert.equal(parseCryptoLine('x AES_CM_128_HMAC_SHA1_80 inline:abc'), undefined, 'a tag is digits');
  assert.equal(parseCryptoLine('1 AES_CM_128_HMAC_SHA1_80 uri:http://x'), undefined, 'only inline keys');
});

test('SDP: the crypto lines of the first live audio and video sections, not of a refused (port 0) one', () => {
  const body = [
    'v=0',
    'c=IN IP4 127.0.0.1',
    'm=audio 0 RTP/SAVP 0',
    `a=crypto:9 AES_CM_128_HMAC_SHA1_80 inline:${K2}`,
    'm=audio 6000 RTP/SAVP 0',
    `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${K1}`,
    `a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:${K2}`,
    'm=video 6002 RTP/SAVP 96',
    `a=crypto:1 NULL_HMAC_SHA1_80 inline:${K2}`,
    '',
  ].join('\r\n');
  const c = sdpCrypto(body);
  assert.deepEqual(
    c.audio.map((x) => [x.tag, x.suite, x.key]),
    [
      [1, 'AES_CM_128_HMAC_SHA1_80', K1],
      [2, 'AES_CM_128_HMAC_SHA1_32', K2],
    ],
  );
  assert.deepEqual(
    c.video.map((x) => [x.tag, x.suite]),
    [[1, 'NULL_HMAC_SHA1_80']],
  );
  assert.deepEqual(sdpCrypto('v=0\r\nm=audio 6000 RTP/AVP 0\r\n'), { audio: [], video: [] });
});

const line = (tag: number, suite: string, key: string, unencrypted = false): SdesCrypto => ({ tag, suite, key, unencrypted });

test('negotiation: the answer picks tag 2 of the offer, so each side uses line 2 (its own key out, the peer key in)', () => {
  const offer = [line(1, 'AES_CM_128_HMAC_SHA1_80', K1), line(2, 'AES_CM_128_HMAC_SHA1_32', K2)];
  const answer = [line(2, 'AES_CM_128_HMAC_SHA1_32', K1)];
  const r = negotiateSdes(offer, answer);
  assert.ok(r.kind === 'srtp');
  assert.equal(r.pair.suite, 'AES_CM_128_HMAC_SHA1_32');
  assert.equal(r.pair.keys, `${K2} ${K1}`);
  assert.equal(r.pair.tx.policy.tagBytes, 4);
  // The same keys again (a re-INVITE that changed nothing) keep the contexts and their rollover counters.
  const again = negotiateSdes(offer, answer, r.pair);
  assert.ok(again.kind === 'srtp' && again.pair === r.pair);
});

test('negotiation: no lines on either side is plain RTP; UNENCRYPTED_SRTP turns encryption off for its sender only', () => {
  assert.equal(negotiateSdes([], [line(1, 'AES_CM_128_HMAC_SHA1_80', K1)]).kind, 'plain');
  assert.equal(negotiateSdes([line(1, 'AES_CM_128_HMAC_SHA1_80', K1)], []).kind, 'plain');
  const r = negotiateSdes([line(1, 'AES_CM_128_HMAC_SHA1_80', K1, true)], [line(1, 'AES_CM_128_HMAC_SHA1_80', K2)]);
  assert.ok(r.kind === 'srtp');
  assert.equal(r.pair.tx.policy.encrypt, false);
  assert.equal(r.pair.rx.policy.encrypt, true);
});

test('negotiation refused: a suite sipts lacks, or a key that is not 30 octets, says which', () => {
  const r = negotiateSdes([line(1, 'F8_128_HMAC_SHA1_80', K1)], [line(1, 'F8_128_HMAC_SHA1_80', K2)]);
  assert.ok(r.kind === 'refused');
  assert.match(r.reason, /F8_128_HMAC_SHA1_80 is not supported/);
  const short = negotiateSdes([line(1, 'AES_CM_128_HMAC_SHA1_80', K1)], [line(1, 'AES_CM_128_HMAC_SHA1_80', 'AAAA')]);
  assert.ok(short.kind === 'refused');
  assert.match(short.reason, /peer's key \(inline:AAAA\) is not 30 octets/);
});
