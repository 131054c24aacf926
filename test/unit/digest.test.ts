import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { authorizationValue, digestResponse, newCnonce, parseChallenge, pickChallenge, verifyAuthorization } from '../../src/sip/digest.js';
import { draws } from '../helpers.js';

test('RFC 2617 §3.5 example (MD5, qop=auth)', () => {
  const c = parseChallenge(
    'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
  );
  assert.ok(c);
  const r = digestResponse(
    c,
    { username: 'Mufasa', password: 'Circle Of Life', method: 'GET', uri: '/dir/index.html', body: '', nc: 1, cnonce: '0a4f113b' },
    'auth',
  );
  assert.equal(r, '6629fae49393a05397450978507c4ef1');
});

test('RFC 7616 §3.9.1 examples (SHA-256 and MD5, qop=auth)', () => {
  const input = {
    username: 'Mufasa',
    password: 'Circle of Life',
    method: 'GET',
    uri: '/dir/index.html',
    body: '',
    nc: 1,
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  };
  const nonce = '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v';
  const sha = parseChallenge(
    `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="${nonce}", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`,
  );
  const md5 = parseChallenge(`Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="${nonce}", opaque="x"`);
  assert.ok(sha && md5);
  assert.equal(digestResponse(sha, input, 'auth'), '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  assert.equal(digestResponse(md5, input, 'auth'), '8ca523f5e9506fed4657c9700eebdbec');
  assert.equal(
    pickChallenge([`Digest realm="r", nonce="n", algorithm=MD5`, `Digest realm="r", nonce="n", algorithm=SHA-256`])?.algorithm,
    'SHA-256',
    'RFC 8760: strongest first',
  );
});

test('authorization header round trip through verifyauth: every algorithm and qop', () => {
  for (const algorithm of ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess', 'SHA-512-256']) {
    for (const qop of ['', 'auth', 'auth-int']) {
      const c = parseChallenge(`Digest realm="sipts", nonce="abc", algorithm=${algorithm}${qop === '' ? '' : `, qop="${qop}"`}`);
      assert.ok(c);
      const v = authorizationValue(c, {
        username: 'alice',
        password: 's3cret',
        method: 'REGISTER',
        uri: 'sip:example.org',
        body: 'v=0\r\n',
        nc: 3,
        cnonce: 'cn',
      });
      assert.equal(verifyAuthorization(v, 'alice', 's3cret', 'REGISTER', 'v=0\r\n'), true, `${algorithm} ${qop}: ${v}`);
      assert.equal(verifyAuthorization(v, 'alice', 'wrong', 'REGISTER', 'v=0\r\n'), false);
      if (qop !== '') assert.match(v, /nc=00000003/);
    }
  }
});

/**
 * Every algorithm and qop against values computed apart from digest.ts: Python's hashlib with RFC 7616 §3.4's
 * formulas written out by hand (HA1 = H(user:realm:password), -sess: H(HA1:nonce:cnonce); HA2 = H(method:uri),
 * auth-int: H(method:uri:H(body)); response = H(HA1:nonce:nc:cnonce:qop:HA2), without qop H(HA1:nonce:HA2)).
 */
test('MD5-sess, SHA-256(-sess), SHA-512-256(-sess) and auth-int against independently computed responses', () => {
  const vectors: readonly (readonly [string, string, string])[] = [
    ['MD5', '', 'c170da781a80a0ba8834f79e8c6048e7'],
    ['MD5', 'auth-int', 'a166b37986c5291a2a42f0e931a34f62'],
    ['MD5-sess', '', 'e594e388624e19e2179b5cf0ba5410ee'],
    ['MD5-sess', 'auth', 'e98be0bc9c475d71f896330e1817a8b0'],
    ['MD5-sess', 'auth-int', '615fed60a05c75a569b0be819720cf1f'],
    ['SHA-256', '', 'c04504180608f2794c3650ac51ec2abd3e5e3f33fed1a1d8da5a479eac6a0365'],
    ['SHA-256', 'auth-int', 'bb1421f7f5ec215f9ad42bd391955e7d498bb1fca8b1de6c698bbd073dc507d6'],
    ['SHA-256-sess', '', '8782155df1832216675b9b49f7067a8d26148a2a0ab48599da05b82e68a9fe46'],
    ['SHA-256-sess', 'auth', '964b8280122bf1fd8b38057929aea45743d00a823c5c83bc1873e8846cbd1082'],
    ['SHA-256-sess', 'auth-int', '88b1bd1d33f4a8e93521ccc16fa7eab7f64255941917e53bc78229afd0d1e513'],
    ['SHA-512-256', '', '268b5f4244afe6e9900723ebfa7027eea539e2eb0e9024410b7ebe965bcfe9a1'],
    ['SHA-512-256', 'auth', '9b6bd2019a0930edd804ccad453b37938f8c3ca9adf2df8618e953eb6cd3183d'],
    ['SHA-512-256', 'auth-int', '1bb97aedbc8db7c1363be68e4cf694764ab03529e3e32d0bf89e6cf57f3ee2f5'],
    ['SHA-512-256-sess', 'auth', 'b95a85b4a1edbae860d5b23c2f33ae05a5172971a4f1b256d26a1b548abb6315'],
    ['SHA-512-256-sess', 'auth-int', 'fc78e0d7c375099171e9a6abd9aaace5dc9fce5ce853cf1cfd64760ccb5bf3b1'],
  ];
  const input = {
    username: 'Mufasa',
    password: 'Circle of Life',
    method: 'INVITE',
    uri: 'sip:bob@example.org',
    body: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n',
    nc: 1,
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  };
  for (const [algorithm, qop, expected] of vectors) {
    const c = parseChallenge(
      `Digest realm="http-auth@example.org", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", algorithm=${algorithm}${qop === '' ? '' : `, qop="${qop}"`}`,
    );
    assert.ok(c, algorithm);
    assert.equal(digestResponse(c, input, qop), expected, `${algorithm} qop=${qop || 'none'}`);
    // The header sipts sends carries that response and the cnonce the -sess HA1 was made with.
    const header = authorizationValue(c, input);
    assert.match(header, new RegExp(`response="${expected}"`), `${algorithm} qop=${qop || 'none'}: ${header}`);
  }
});

/**
 * digest.ts keeps the last H(method:uri): it must never answer with the HA2 of another algorithm, method or
 * uri. The RFC examples in turn (MD5 and SHA-256 share method and uri), then REGISTERs to two uris alternating,
 * against RFC 2617 §3.2.2.1's formula computed here.
 */
test('the HA2 kept between answers follows the algorithm, method and uri of each', () => {
  const rfc2617 = parseChallenge('Digest realm="testrealm@host.com", qop="auth", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093"');
  const nonce = '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v';
  const sha = parseChallenge(`Digest realm="http-auth@example.org", qop="auth", algorithm=SHA-256, nonce="${nonce}"`);
  const md5 = parseChallenge(`Digest realm="http-auth@example.org", qop="auth", algorithm=MD5, nonce="${nonce}"`);
  assert.ok(rfc2617 && sha && md5);
  const mufasa = { username: 'Mufasa', method: 'GET', uri: '/dir/index.html', body: '', nc: 1 };
  const a = { ...mufasa, password: 'Circle Of Life', cnonce: '0a4f113b' };
  const b = { ...mufasa, password: 'Circle of Life', cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ' };
  for (let i = 0; i < 2; i++) {
    assert.equal(digestResponse(rfc2617, a, 'auth'), '6629fae49393a05397450978507c4ef1');
    assert.equal(digestResponse(sha, b, 'auth'), '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
    assert.equal(digestResponse(md5, b, 'auth'), '8ca523f5e9506fed4657c9700eebdbec');
  }
  const md5hex = (s: string): string => createHash('md5').update(s).digest('hex');
  const c = parseChallenge('Digest realm="r", nonce="n", qop="auth"');
  assert.ok(c);
  for (const [method, uri] of [
    ['REGISTER', 'sip:a.example'],
    ['REGISTER', 'sip:b.example'],
    ['INVITE', 'sip:b.example'],
    ['REGISTER', 'sip:a.example'],
  ] as const) {
    const expected = md5hex(`${md5hex('u:r:p')}:n:00000001:cn:auth:${md5hex(`${method}:${uri}`)}`);
    assert.equal(
      digestResponse(c, { username: 'u', password: 'p', method, uri, body: '', nc: 1, cnonce: 'cn' }, 'auth'),
      expected,
      `${method} ${uri}`,
    );
  }
});

test('cnonces: 16 hex digits from the CSPRNG, none repeated over several refills of the pool', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const c = newCnonce();
    assert.match(c, /^[0-9a-f]{16}$/);
    seen.add(c);
  }
  assert.equal(seen.size, 2000);
});

/** RFC 2617 §3.2.1 / RFC 2616 §2.2: quoted values may hold commas, spaces and quoted-pairs; tokens end at a comma. */
test('challenge parameters: quoted-pairs unescaped, commas inside quotes kept, unquoted tokens, any case of names', () => {
  const c = parseChallenge('Digest REALM="a \\"b\\", c", Nonce=n1,opaque="o\\\\p",  qop="auth,auth-int" , algorithm=sha-256');
  assert.deepEqual(c, {
    realm: 'a "b", c',
    nonce: 'n1',
    opaque: 'o\\p',
    algorithm: 'SHA-256',
    algorithmToken: 'sha-256',
    qop: ['auth', 'auth-int'],
  });
  // Parsed twice in a row: the shared scan starts over each time.
  assert.deepEqual(parseChallenge('Digest realm="r", nonce="x"')?.nonce, 'x');
  assert.equal(parseChallenge('Basic realm="r"'), undefined);
});

/**
 * The reading of a digest header sipts had before its hand-written scanner, by regular expressions (RFC 2617
 * §3.2.1's `name = token | quoted-string`, leniently): the reference the scanner must agree with.
 */
function regexParams(value: string): Map<string, string> | undefined {
  const m = /^\s*Digest\s+(.*)$/is.exec(value);
  if (m === null) return undefined;
  const params = new Map<string, string>();
  for (const p of (m[1] ?? '').matchAll(/([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    const quoted = p[2];
    params.set((p[1] ?? '').toLowerCase(), quoted === undefined ? (p[3] ?? '') : quoted.replace(/\\(.)/g, '$1'));
  }
  return params;
}

test('challenge parameters: the scanner reads what the regular expressions read, on 20,000 random headers', () => {
  const { next, pick } = draws(0x2545f491);
  const names = ['realm', 'REALM', 'realm', 'Nonce', 'nonce', 'nonce', 'opaque', 'algorithm', 'qop', 'x-1', 'n0nce'];
  const spaces = ['', '', ' ', '  ', '\t', '\xa0', '\r\n'];
  const texts = ['a', 'MD5', 'SHA-256', 'auth', 'auth-int', ' ', ',', '=', '"', '\\', '\\"', '\\\\', '\xe9', '\r\n', 'realm="r"'];
  const separators = [',', ', ', ' ', '', ';', '"', '=', '\\'];
  let parsed = 0;
  let quotedPairs = 0;
  for (let t = 0; t < 20_000; t++) {
    let v = pick(['Digest ', 'Digest ', 'digest\t', ' DIGEST  ', 'Digest', 'Basic ', '']);
    for (let p = 2 + next(6); p > 0; p--) {
      let text = '';
      for (let k = next(4); k > 0; k--) text += pick(texts);
      const quote = next(3) === 0 ? '' : '"';
      // Now and then a quote left open, or a piece with no `=`.
      const close = next(8) === 0 ? '' : quote;
      v += next(10) === 0 ? pick(names) : `${pick(names)}${pick(spaces)}=${pick(spaces)}${quote}${text}${close}`;
      v += pick(separators) + pick(spaces);
    }
    const ref = regexParams(v);
    const c = parseChallenge(v);
    const realm = ref?.get('realm');
    const nonce = ref?.get('nonce');
    if (ref === undefined || realm === undefined || nonce === undefined) {
      assert.equal(c, undefined, JSON.stringify(v));
      continue;
    }
    parsed++;
    if (v.includes('\\')) quotedPairs++;
    const algorithmToken = ref.get('algorithm') ?? 'MD5';
    const qop = (ref.get('qop') ?? '')
      .split(',')
      .map((q) => q.trim().toLowerCase())
      .filter((q) => q !== '');
    assert.deepEqual(
      c,
      { realm, nonce, opaque: ref.get('opaque'), algorithm: algorithmToken.toUpperCase(), algorithmToken, qop },
      JSON.stringify(v),
    );
  }
  // The headers are not all refused: many give a challenge, backslashes among them.
  assert.ok(parsed > 2000 && quotedPairs > 500, `${parsed} parsed, ${quotedPairs} with a backslash`);
});

test('the qop list of one challenge after another: the kept last list never answers a different qop', () => {
  const qopOf = (qop: string): readonly string[] | undefined => parseChallenge(`Digest realm="r", nonce="n", qop="${qop}"`)?.qop;
  // RFC 7616 §3.3: a quoted, comma-separated list of options; parsed lower case, white space and empty entries dropped.
  assert.deepEqual(qopOf('auth'), ['auth']);
  // The same text again is answered with the kept list itself, not a new one.
  assert.equal(qopOf('auth'), qopOf('auth'));
  assert.deepEqual(qopOf('AUTH-INT, auth'), ['auth-int', 'auth']);
  assert.deepEqual(qopOf('auth'), ['auth']);
  assert.deepEqual(parseChallenge('Digest realm="r", nonce="n"')?.qop, []);
  assert.deepEqual(qopOf(' , auth-int ,'), ['auth-int']);
  assert.deepEqual(qopOf('AUTH-INT, auth'), ['auth-int', 'auth']);
});
