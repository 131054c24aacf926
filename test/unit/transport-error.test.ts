/**
 * Issue 17: a socket error's kind, from its errno code (errno(3), Linux) and what the socket was doing. The
 * kinds that loopback cannot provoke (no buffer space, no route) are checked here; the others are also
 * provoked for real in test/integration/transport-errors.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TRANSPORT_ERROR_HELP, TRANSPORT_ERROR_KINDS, TransportError, transportErrorKind } from '../../src/events/transport-error.js';

const err = (code: string): Error => Object.assign(new Error(code), { code });

test('a send the system has no buffer for (ENOBUFS, EAGAIN) is its own kind, whatever the socket was doing', () => {
  for (const code of ['ENOBUFS', 'EAGAIN', 'EWOULDBLOCK']) {
    for (const doing of ['send', 'connect', 'handshake', 'open'] as const)
      assert.equal(transportErrorKind(err(code), doing), 'buffer', `${code} ${doing}`);
  }
});

test('out of file descriptors (EMFILE, ENFILE) is the socket limit', () => {
  assert.equal(transportErrorKind(err('EMFILE'), 'connect'), 'limit');
  assert.equal(transportErrorKind(err('ENFILE'), 'send'), 'limit');
});

test('a datagram with no route, refused or too large is a send error; an address not here is a bind error', () => {
  for (const code of ['EHOSTUNREACH', 'ENETUNREACH', 'ECONNREFUSED', 'EMSGSIZE'])
    assert.equal(transportErrorKind(err(code), 'send'), 'send', code);
  assert.equal(transportErrorKind(err('EADDRNOTAVAIL'), 'send'), 'bind');
});

test('on a stream: refused or unreachable while connecting is connect; reset once open is closed; OpenSSL codes are tls', () => {
  for (const code of ['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH']) assert.equal(transportErrorKind(err(code), 'connect'), 'connect', code);
  for (const code of ['ECONNRESET', 'EPIPE', 'ETIMEDOUT']) assert.equal(transportErrorKind(err(code), 'open'), 'closed', code);
  assert.equal(transportErrorKind(err('ECONNRESET'), 'handshake'), 'tls');
  assert.equal(transportErrorKind(err('ERR_SSL_WRONG_VERSION_NUMBER'), 'connect'), 'tls');
  assert.equal(transportErrorKind(err('EPROTO'), 'open'), 'tls');
});

test('every kind has an index in list order and a line of help', () => {
  TRANSPORT_ERROR_KINDS.forEach((k, i) => {
    assert.equal(TransportError[k], i);
    assert.ok(TRANSPORT_ERROR_HELP[k].length > 0);
  });
});
