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

/** A response with the given From and To values and an extra header after them; its routing fields parsed. */
function tagsOf(from: string, to: string, after = 'X-After: a;tag=later'): { fromTag: string; toTag: string } {
  const r = parseMessage(
    `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\nFrom: ${from}\r\nTo: ${to}\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n${after}\r\nContent-Length: 0\r\n\r\n`,
  );
  assert.ok(r.ok);
  return { fromTag: r.msg.fromTag, toTag: r.msg.toTag };
}

test('tags are the header parameters: not a URI parameter in <…>, not text in a quoted display name (RFC 3261 §20.10, §25.1)', () => {
  // A parameter inside the angle brackets is the URI's, whatever its name.
  assert.deepEqual(tagsOf('<sip:a@x;tag=uri>;tag=hdr', '<sip:b@y;tag=uri2>'), { fromTag: 'hdr', toTag: '' });
  assert.deepEqual(tagsOf('"Smith;tag=q" <sip:a@x>;tag=t1', '"O\\"Brien;x" <sip:b@y> ; TAG = t2 ;x=1'), { fromTag: 't1', toTag: 't2' });
  // A quoted parameter value may hold a ';' (RFC 4475 §3.1.1.2 quotes one with UTF-8 in it).
  assert.deepEqual(tagsOf('x <sip:a@x>;p="v;tag=no";tag=yes', "<sip:b@y>;tag=_token~1'+`*%!-."), {
    fromTag: 'yes',
    toTag: "_token~1'+`*%!-.",
  });
  // An addr-spec without brackets: its parameters are the header's (§20.10).
  assert.deepEqual(tagsOf('sip:a@x;tag=t3', 'sip:b@y;user=phone;tag=t4'), { fromTag: 't3', toTag: 't4' });
  // No tag in the header: nothing from the headers after it, nor from a parameter whose name only starts with tag.
  assert.deepEqual(tagsOf('<sip:a@x>;tagx=1', '<sip:b@y>'), { fromTag: '', toTag: '' });
  assert.deepEqual(tagsOf('<sip:a@x', '<sip:b@y>'), { fromTag: '', toTag: '' }, 'an unclosed < hides no tag');
});

test('routing fields on folded lines (RFC 3261 §7.3.1), as SIPp reads them', () => {
  const r = parseMessage(
    [
      'BYE sip:b@y SIP/2.0',
      'Via: SIP/2.0/UDP',
      '  h:5060;branch=z9hG4bKfold',
      'From: <sip:a@x>',
      '\t;tag=ftag',
      'To \t:',
      ' <sip:b@y>',
      ' ;tag=ttag',
      'Call-ID:',
      '  folded-id@h',
      'CSeq: 12',
      '  BYE',
      'Subject: a',
      ' b',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.equal(r.msg.branch, 'z9hG4bKfold');
  assert.equal(r.msg.fromTag, 'ftag');
  assert.equal(r.msg.toTag, 'ttag');
  assert.equal(r.msg.callId, 'folded-id@h');
  assert.equal(r.msg.cseq, 12);
  assert.equal(r.msg.cseqMethod, 'BYE');
  assert.equal(headerValue(r.msg, 'Call-ID'), 'folded-id@h');
  assert.equal(headerValue(r.msg, 'subject'), 'a b');
});

test('the short tortuous INVITE of RFC 4475 §3.1.1.1: its routing fields as the RFC explains them', () => {
  // Written after the RFC's wsinv message (its headers, shortened body): folding, odd white space, a quoted
  // display name with escaped quotes, compact forms, a Via list on folded lines.
  const body = 'v=0\r\n';
  const raw = [
    'INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0',
    'TO :',
    ' sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n',
    'from   : "J Rosenberg \\\\\\""       <sip:jdrosen@example.com>',
    '  ;',
    '  tag = 98asjd8',
    'MaX-fOrWaRdS: 0068',
    'Call-ID: wsinv.ndaksdj@192.0.2.1',
    `Content-Length   : ${body.length}`,
    'cseq: 0009',
    '  INVITE',
    'Via  : SIP  /   2.0',
    ' /UDP',
    '    192.0.2.2;branch=390skdjuw',
    's :',
    'NewFangledHeader:   newfangled value',
    ' continued newfangled value',
    'UnknownHeaderWithUnusualValue: ;;,,;;,;',
    'Content-Type: application/sdp',
    'v:  SIP  / 2.0  / TCP     spindle.example.com   ;',
    '  branch  =   z9hG4bK9ikj8  ,',
    ' SIP  /    2.0   / UDP  192.168.255.111   ; branch=',
    ' z9hG4bK30239',
    'm:"Quoted string \\"\\"" <sip:jdrosen@example.com> ; newparam =',
    '      newvalue ;',
    '  secondparam ; q = 0.33',
    '',
    body,
  ].join('\r\n');
  const r = parseMessage(raw);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  const m = r.msg;
  assert.equal(m.method, 'INVITE');
  assert.equal(m.toTag, '1918181833n');
  assert.equal(m.fromTag, '98asjd8', 'after the display name "J Rosenberg \\\\\\"" (an escaped backslash, then an escaped quote)');
  assert.equal(m.callId, 'wsinv.ndaksdj@192.0.2.1');
  assert.equal(m.cseq, 9);
  assert.equal(m.cseqMethod, 'INVITE');
  assert.equal(m.branch, '390skdjuw', 'the first Via');
  assert.equal(bodyOf(m), body);
});
