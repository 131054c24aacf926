/**
 * Issue 7: SIP over a stream is cut by Content-Length (RFC 3261 §18.3), however the reads fall: a message
 * split at any byte, several messages in one read, keep-alive CRLFs between them, bodies holding a blank
 * line, the compact form l:.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MAX_HEADER_BYTES, StreamFramer } from '../../src/transport/framing.js';

const INVITE =
  'INVITE sip:service@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5061;branch=z9hG4bK-1\r\nCall-ID: 1@h\r\nCSeq: 1 INVITE\r\n' +
  'Content-Type: application/sdp\r\nContent-Length: 37\r\n\r\nv=0\r\n\r\ns=- a body with a blank line\r\n';
const BYE = 'BYE sip:service@127.0.0.1:5060 SIP/2.0\r\nCall-ID: 1@h\r\nCSeq: 2 BYE\r\nl: 0\r\n\r\n';
const OK = 'SIP/2.0 200 OK\r\nCall-ID: 1@h\r\nCSeq: 2 BYE\r\ncontent-length :  5\r\n\r\nhello';
const NO_LENGTH = 'OPTIONS sip:a@b SIP/2.0\r\nCall-ID: 2@h\r\nCSeq: 1 OPTIONS\r\n\r\n';
const STREAM = [INVITE, '\r\n\r\n', BYE, OK, '\r\n', NO_LENGTH];
const MESSAGES = [INVITE, BYE, OK, NO_LENGTH];

function feed(chunks: readonly string[]): { got: string[]; errors: string[]; framer: StreamFramer } {
  const framer = new StreamFramer();
  const got: string[] = [];
  const errors: string[] = [];
  for (const c of chunks) {
    const e = framer.push(c, (m) => got.push(m));
    if (e !== undefined) errors.push(e);
  }
  return { got, errors, framer };
}

test('the INVITE body holds a blank line and is 37 bytes', () => {
  assert.equal(INVITE.length - INVITE.indexOf('\r\n\r\n') - 4, 37);
});

test('a stream split at every byte boundary gives each message once, whole', () => {
  const whole = STREAM.join('');
  for (let cut = 0; cut <= whole.length; cut++) {
    const { got, errors, framer } = feed([whole.slice(0, cut), whole.slice(cut)]);
    assert.deepEqual(got, MESSAGES, `cut at ${cut}`);
    assert.deepEqual(errors, []);
    assert.equal(framer.buffered, 0);
  }
});

test('a stream fed one byte at a time gives the same messages', () => {
  const { got, framer } = feed(Array.from(STREAM.join('')));
  assert.deepEqual(got, MESSAGES);
  assert.equal(framer.buffered, 0);
});

test('several messages in one read are all delivered, in order', () => {
  const { got } = feed([STREAM.join('')]);
  assert.deepEqual(got, MESSAGES);
});

test('any split of any sequence of messages gives back the messages (property)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...MESSAGES), { minLength: 1, maxLength: 8 }),
      fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 30 }),
      (messages, sizes) => {
        const whole = messages.join('');
        const chunks: string[] = [];
        for (let at = 0, i = 0; at < whole.length; i++) {
          const n = sizes[i % sizes.length] ?? 1;
          chunks.push(whole.slice(at, at + n));
          at += n;
        }
        assert.deepEqual(feed(chunks).got, messages);
      },
    ),
    { numRuns: 300 },
  );
});

test('a message waits for the rest of its body', () => {
  const framer = new StreamFramer();
  const got: string[] = [];
  framer.push(INVITE.slice(0, -5), (m) => got.push(m));
  assert.equal(got.length, 0);
  assert.equal(framer.buffered, INVITE.length - 5);
  framer.push(INVITE.slice(-5), (m) => got.push(m));
  assert.deepEqual(got, [INVITE]);
});

test('a stream with no end of headers in 64 KiB is refused, not buffered without end', () => {
  const { got, errors } = feed(['INVITE sip:a@b SIP/2.0\r\n', 'X: y\r\n'.repeat(MAX_HEADER_BYTES / 6 + 1)]);
  assert.deepEqual(got, []);
  assert.equal(errors.length, 1);
  assert.match(errors[0] ?? '', /no end of headers/);
});
