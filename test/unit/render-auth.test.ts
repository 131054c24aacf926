/**
 * engine/render-auth.ts on its own: which header answers which challenge (RFC 3261 §22.2, §22.3), and the
 * digest it carries, checked against RFC 2617 §3.2.2 written out here with node:crypto.
 */
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authorizationFor, credentialsIn, type AuthContext } from '../../src/engine/render-auth.js';
import { parseMessage } from '../../src/sip/parser.js';
import { draws } from '../helpers.js';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const param = (header: string, name: string): string => new RegExp(`[ ,]${name}="?([^",]*)"?`).exec(header)?.[1] ?? '';

function ctxAfter(raw: string): AuthContext {
  const parsed = parseMessage(raw);
  assert.ok(parsed.ok);
  return { lastRecv: parsed.msg, nonceCount: () => 1 };
}

const creds = { username: 'joe', password: 'schmo', akaK: '', akaOp: '', uri: '' };

test('a 407 is answered with Proxy-Authorization from Proxy-Authenticate; method and uri come from the request line (RFC 2617 §3.2.2.1, no qop)', () => {
  const ctx = ctxAfter(
    'SIP/2.0 407 Proxy Authentication Required\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nWWW-Authenticate: Digest realm="wrong", nonce="no"\r\nProxy-Authenticate: Digest realm="proxy.example", nonce="n0nce"\r\n\r\n',
  );
  const header = authorizationFor(creds, ctx, 'INVITE sip:bob@example.org SIP/2.0', '');
  assert.match(header, /^Proxy-Authorization: Digest /);
  assert.equal(param(header, 'realm'), 'proxy.example');
  assert.equal(param(header, 'uri'), 'sip:bob@example.org');
  const expected = md5(`${md5('joe:proxy.example:schmo')}:n0nce:${md5('INVITE:sip:bob@example.org')}`);
  assert.equal(param(header, 'response'), expected);
});

test("a 401 is answered with Authorization; -auth_uri's uri replaces the Request-URI in the digest", () => {
  const ctx = ctxAfter(
    'SIP/2.0 401 Unauthorized\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\nWWW-Authenticate: Digest realm="example.org", nonce="abc"\r\n\r\n',
  );
  const header = authorizationFor({ ...creds, uri: 'sip:forced.example' }, ctx, 'REGISTER sip:example.org SIP/2.0', '');
  assert.match(header, /^Authorization: Digest /);
  assert.equal(param(header, 'uri'), 'sip:forced.example');
  assert.equal(param(header, 'response'), md5(`${md5('joe:example.org:schmo')}:abc:${md5('REGISTER:sip:forced.example')}`));
});

test('nothing to answer: no last message, a last message that is not 401/407, a 401 without a challenge', () => {
  const line = 'REGISTER sip:example.org SIP/2.0';
  assert.equal(authorizationFor(creds, { lastRecv: undefined, nonceCount: () => 1 }, line, ''), '');
  assert.equal(
    authorizationFor(
      creds,
      ctxAfter('SIP/2.0 200 OK\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\nWWW-Authenticate: Digest realm="r", nonce="n"\r\n\r\n'),
      line,
      '',
    ),
    '',
  );
  assert.equal(authorizationFor(creds, ctxAfter('SIP/2.0 401 Unauthorized\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n\r\n'), line, ''), '');
});

/** The reading of [authentication …]'s parameters sipts had before its hand-written scanner: the reference. */
function regexCredentials(params: string): Record<string, string> {
  const out: Record<string, string> = { username: '', password: '', aka_K: '', aka_OP: '' };
  for (const m of params.matchAll(/([a-zA-Z_]+)=("[^"]*"|\S+)/g)) {
    const raw = m[2] ?? '';
    const name = m[1] ?? '';
    if (name in out) out[name] = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  }
  return out;
}

test('[authentication …] parameters: the scanner reads what the regular expression read, on 20,000 random ones', () => {
  const { next, pick } = draws(0x9e3779b9);
  const names = ['username', 'password', 'username', 'password', 'aka_K', 'aka_OP', 'user1name', 'x_', 'Username', ''];
  const texts = ['bob', 'pa ss', '"', '=', ' ', '\t', '\u00a0', '\u2003', ']', 'ü', '1', '"q"', ''];
  let withValues = 0;
  for (let t = 0; t < 20_000; t++) {
    let s = pick(['', ' ', '  ', '\t']);
    for (let p = 2 + next(5); p > 0; p--) {
      let text = '';
      for (let k = next(4); k > 0; k--) text += pick(texts);
      s += `${pick(names)}${next(6) === 0 ? ' ' : ''}=${text}${pick([' ', '  ', '', '\n', '\u3000'])}`;
    }
    const ref = regexCredentials(s);
    const got = credentialsIn(s);
    assert.deepEqual({ username: got.username, password: got.password, aka_K: got.akaK, aka_OP: got.akaOp }, ref, JSON.stringify(s));
    if (got.username !== '' && got.password !== '') withValues++;
  }
  assert.ok(withValues > 1000, `${withValues} with a username and a password`);
});
