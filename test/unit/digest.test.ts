import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authorizationValue, digestResponse, parseChallenge, pickChallenge, verifyAuthorization } from '../../src/sip/digest.js';

test('RFC 2617 §3.5 example (MD5, qop=auth)', () => {
  const c = parseChallenge('Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"');
  assert.ok(c);
  const r = digestResponse(c, { username: 'Mufasa', password: 'Circle Of Life', method: 'GET', uri: '/dir/index.html', body: '', nc: 1, cnonce: '0a4f113b' }, 'auth');
  assert.equal(r, '6629fae49393a05397450978507c4ef1');
});

test('RFC 7616 §3.9.1 examples (SHA-256 and MD5, qop=auth)', () => {
  const input = { username: 'Mufasa', password: 'Circle of Life', method: 'GET', uri: '/dir/index.html', body: '', nc: 1, cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ' };
  const nonce = '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v';
  const sha = parseChallenge(`Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="${nonce}", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`);
  const md5 = parseChallenge(`Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="${nonce}", opaque="x"`);
  assert.ok(sha && md5);
  assert.equal(digestResponse(sha, input, 'auth'), '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  assert.equal(digestResponse(md5, input, 'auth'), '8ca523f5e9506fed4657c9700eebdbec');
  assert.equal(pickChallenge([`Digest realm="r", nonce="n", algorithm=MD5`, `Digest realm="r", nonce="n", algorithm=SHA-256`])?.algorithm, 'SHA-256', 'RFC 8760: strongest first');
});

test('authorization header round trip through verifyauth: every algorithm and qop', () => {
  for (const algorithm of ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess', 'SHA-512-256']) {
    for (const qop of ['', 'auth', 'auth-int']) {
      const c = parseChallenge(`Digest realm="sipts", nonce="abc", algorithm=${algorithm}${qop === '' ? '' : `, qop="${qop}"`}`);
      assert.ok(c);
      const v = authorizationValue(c, { username: 'alice', password: 's3cret', method: 'REGISTER', uri: 'sip:example.org', body: 'v=0\r\n', nc: 3, cnonce: 'cn' });
      assert.equal(verifyAuthorization(v, 'alice', 's3cret', 'REGISTER', 'v=0\r\n'), true, `${algorithm} ${qop}: ${v}`);
      assert.equal(verifyAuthorization(v, 'alice', 'wrong', 'REGISTER', 'v=0\r\n'), false);
      if (qop !== '') assert.match(v, /nc=00000003/);
    }
  }
});
