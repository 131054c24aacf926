import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findHeaders, headerValue, headerValues } from '../../src/sip/headers.js';
import { bodyOf, parseMessage } from '../../src/sip/parser.js';

const invite = [
  'INVITE sip:service@127.0.0.1:5060 SIP/2.0',
  'Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1-1-0;rport',
  'Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKsecond',
  'From: <sip:a@x>;tag=abc',
  'To: <sip:b@y>',
  'Call-ID: 1-2@127.0.0.1',
  'CSeq: 7 INVITE',
  'Record-Route: <sip:p1;lr>, <sip:p2;lr>',
  'Record-Route: <sip:p3;lr>',
  'Content-Length: 4',
  '',
  'v=0\r\n',
].join('\r\n');

test('parses the routing fields of a request', () => {
  const r = parseMessage(invite);
  assert.ok(r.ok);
  const m = r.msg;
  assert.equal(m.method, 'INVITE');
  assert.equal(m.status, 0);
  assert.equal(m.callId, '1-2@127.0.0.1');
  assert.equal(m.cseq, 7);
  assert.equal(m.cseqMethod, 'INVITE');
  assert.equal(m.branch, 'z9hG4bK-1-1-0', 'top Via only');
  assert.equal(m.fromTag, 'abc');
  assert.equal(m.toTag, '');
  assert.equal(bodyOf(m), 'v=0\r');
});

test('compact header forms and case-insensitive names (RFC 3261 §7.3.3)', () => {
  const raw =
    'SIP/2.0 180 Ringing\r\nv: SIP/2.0/UDP h;BRANCH=z9hG4bKx\r\nf: <sip:a@x>;tag=1\r\nt: <sip:b@y>;Tag=2\r\ni: cid\r\ncseq: 3 BYE\r\nl: 0\r\n\r\n';
  const r = parseMessage(raw);
  assert.ok(r.ok);
  assert.equal(r.msg.status, 180);
  assert.equal(r.msg.callId, 'cid');
  assert.equal(r.msg.branch, 'z9hG4bKx');
  assert.equal(r.msg.toTag, '2');
  assert.equal(r.msg.cseqMethod, 'BYE');
  assert.equal(headerValue(r.msg, 'Call-ID'), 'cid');
  // Names are matched without regard to case or form, common ones (a table) and others alike.
  const mixed = parseMessage(
    'OPTIONS sip:x SIP/2.0\r\nVIA: SIP/2.0/UDP a\r\nv: SIP/2.0/UDP b\r\nCALL-id: c\r\nCSeq: 1 OPTIONS\r\nM: <sip:m>\r\nX-Odd-Name: 1\r\nx-odd-name: 2\r\nRecord-ROUTE: <sip:r>\r\nT: <sip:t>\r\n\r\n',
  );
  assert.ok(mixed.ok);
  assert.deepEqual(headerValues(mixed.msg, 'Via'), ['SIP/2.0/UDP a', 'SIP/2.0/UDP b']);
  assert.deepEqual(headerValues(mixed.msg, 'v'), ['SIP/2.0/UDP a', 'SIP/2.0/UDP b']);
  assert.equal(headerValue(mixed.msg, 'i'), 'c');
  assert.equal(headerValue(mixed.msg, 'contact'), '<sip:m>');
  assert.deepEqual(headerValues(mixed.msg, 'X-ODD-NAME'), ['1', '2']);
  assert.equal(headerValue(mixed.msg, 'record-route'), '<sip:r>');
  assert.equal(headerValue(mixed.msg, 'To'), '<sip:t>');
  assert.equal(headerValue(mixed.msg, 'Route'), undefined);
});

test('lazy header look-ups: all lines, comma lists split, folding joined', () => {
  const r = parseMessage(invite);
  assert.ok(r.ok);
  assert.equal(findHeaders(r.msg, 'via').length, 2);
  assert.deepEqual(headerValues(r.msg, 'Record-Route'), ['<sip:p1;lr>', '<sip:p2;lr>', '<sip:p3;lr>']);
  const folded = parseMessage('OPTIONS sip:x SIP/2.0\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nSubject: a\r\n b\r\n\r\n');
  assert.ok(folded.ok);
  assert.equal(headerValue(folded.msg, 'subject'), 'a b');
});

test('header look-ups of an older message after the parser read a newer one, folded lines on both paths', () => {
  // The parser records the lines of the message it parses; a look-up of any other message scans that one.
  const older = parseMessage('OPTIONS sip:x SIP/2.0\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\nv: SIP/2.0/UDP h1\r\nSubject: a\r\n\tb\r\n\r\n');
  const newer = parseMessage('SIP/2.0 200 OK\r\nCall-ID: c2\r\nCSeq: 1 OPTIONS\r\nVia: SIP/2.0/UDP h2\r\nVia: SIP/2.0/UDP h3\r\n\r\n');
  assert.ok(older.ok && newer.ok);
  assert.equal(headerValue(older.msg, 'subject'), 'a b');
  assert.deepEqual(headerValues(older.msg, 'Via'), ['SIP/2.0/UDP h1']);
  assert.deepEqual(headerValues(newer.msg, 'v'), ['SIP/2.0/UDP h2', 'SIP/2.0/UDP h3']);
  assert.equal(headerValue(older.msg, 'call-id'), 'c1');
  const again = parseMessage('BYE sip:x SIP/2.0\r\ni: c3\r\nCSeq: 2 BYE\r\n\r\n');
  assert.ok(again.ok);
  assert.equal(headerValue(newer.msg, 'Call-ID'), 'c2');
  assert.equal(headerValue(again.msg, 'Call-ID'), 'c3');
  assert.equal(findHeaders(again.msg, 'via').length, 0);
});

test('malformed input is a value, never an exception', () => {
  const cases = [
    '',
    '\r\n\r\n',
    'garbage',
    'SIP/2.0 99 x\r\n\r\n',
    'INVITE sip:x\r\nCall-ID: a\r\n\r\n',
    'INVITE sip:x SIP/2.0\r\nCSeq: 1 INVITE\r\n\r\n',
    'INVITE sip:x SIP/2.0\r\nCall-ID: a\r\n\r\n',
    'INVITE sip:x SIP/2.0\r\nCall-ID: a\r\nCSeq: 1 INVITE\r\nContent-Length: 99\r\n\r\nshort',
  ];
  for (const c of cases) assert.equal(parseMessage(c).ok, false, JSON.stringify(c));
  // Every truncation of a valid message parses or fails cleanly.
  for (let i = 0; i < invite.length; i++) parseMessage(invite.slice(0, i));
});
