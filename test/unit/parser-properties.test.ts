/**
 * Issue 5: property tests (fast-check) on the parser and the messages sipts builds. Whatever arrives, the
 * parser returns a value and never throws; what it accepts it reads back exactly; what sipts builds from a
 * request parses back to the same transaction.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { bodyOf, parseMessage } from '../../src/sip/parser.js';
import { buildResponse } from '../../src/sip/response.js';
import { buildBye, buildCancel } from '../../src/sip/requests.js';
import type { ParseResult } from '../../src/sip/message.js';

const RUNS = { numRuns: 500, seed: 0x51b75 };

const tokenChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~";
const token = fc.string({ unit: fc.constantFrom(...Array.from(tokenChars)), minLength: 1, maxLength: 24 });
const method = fc.constantFrom('INVITE', 'ACK', 'BYE', 'CANCEL', 'REGISTER', 'OPTIONS', 'INFO', 'MESSAGE', 'NOTIFY', 'X-CUSTOM');
/** Header values: any latin1 char but CR and LF (one line). */
const lineText = fc.string({
  unit: fc
    .integer({ min: 32, max: 255 })
    .filter((c) => c !== 127)
    .map((c) => String.fromCharCode(c)),
  maxLength: 60,
});
const latin1 = fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1'));

interface Model {
  request: boolean;
  method: string;
  status: number;
  callId: string;
  cseq: number;
  branch: string;
  fromTag: string;
  toTag: string;
  extra: [string, string][];
  body: string;
  compact: boolean;
  eol: string;
  pad: string;
}

const model: fc.Arbitrary<Model> = fc.record({
  request: fc.boolean(),
  method,
  status: fc.integer({ min: 100, max: 699 }),
  callId: token,
  cseq: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  branch: token.map((b) => `z9hG4bK${b}`),
  fromTag: token,
  toTag: fc.option(token, { nil: '' }),
  extra: fc.array(
    fc.tuple(
      token.filter((n) => !/^(i|v|f|t|l|c|call-id|cseq|via|from|to|content-length)$/i.test(n)),
      lineText,
    ),
    { maxLength: 6 },
  ),
  body: latin1,
  compact: fc.boolean(),
  eol: fc.constantFrom('\r\n', '\n'),
  pad: fc.constantFrom('', ' ', '  ', '\t'),
});

/** A message as a peer could write it: compact or long header names, spaces around the colon, LF or CRLF. */
function serialize(m: Model): string {
  const h = (long: string, short: string, value: string): string => `${m.compact ? short : long}${m.pad}:${m.pad}${value}${m.eol}`;
  const start = m.request ? `${m.method} sip:service@127.0.0.1:5060 SIP/2.0` : `SIP/2.0 ${m.status} Whatever Reason`;
  return (
    `${start}${m.eol}` +
    h('Via', 'v', `SIP/2.0/UDP 127.0.0.1:5061;branch=${m.branch};rport`) +
    h('From', 'f', `<sip:a@127.0.0.1>;tag=${m.fromTag}`) +
    h('To', 't', `<sip:b@127.0.0.1>${m.toTag === '' ? '' : `;tag=${m.toTag}`}`) +
    h('Call-ID', 'i', m.callId) +
    `CSeq:${m.pad}${m.cseq} ${m.method}${m.eol}` +
    m.extra.map(([n, v]) => `${n}:${m.pad}${v}${m.eol}`).join('') +
    h('Content-Length', 'l', String(m.body.length)) +
    m.eol +
    m.body
  );
}

function parsed(raw: string): ParseResult {
  let r: ParseResult | undefined;
  assert.doesNotThrow(() => {
    r = parseMessage(raw);
  });
  if (r === undefined) throw new Error('no result');
  if (r.ok) {
    const msg = r.msg;
    assert.ok(msg.cseq >= 0 && msg.callId !== '' && msg.cseqMethod !== '');
    assert.ok(msg.bodyStart >= 0 && msg.bodyLength >= 0 && msg.bodyStart + msg.bodyLength <= raw.length + 1);
  } else {
    assert.equal(typeof r.reason, 'string');
  }
  return r;
}

test('round trip: any well-formed message is read back field for field, body and all', () => {
  fc.assert(
    fc.property(model, (m) => {
      const raw = serialize(m);
      const r = parsed(raw);
      assert.ok(r.ok, `${r.ok ? '' : r.reason}: ${JSON.stringify(raw)}`);
      const msg = r.msg;
      assert.equal(msg.method, m.request ? m.method : '');
      assert.equal(msg.status, m.request ? 0 : m.status);
      assert.equal(msg.callId, m.callId);
      assert.equal(msg.cseq, m.cseq);
      assert.equal(msg.cseqMethod, m.method);
      assert.equal(msg.branch, m.branch);
      assert.equal(msg.fromTag, m.fromTag);
      assert.equal(msg.toTag, m.toTag);
      assert.equal(bodyOf(msg), m.body);
    }),
    RUNS,
  );
});

test('garbage: random bytes, text and truncations never throw; a cut body is refused', () => {
  fc.assert(
    fc.property(latin1, (raw) => {
      parsed(raw);
    }),
    RUNS,
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), (raw) => {
      parsed(raw);
    }),
    RUNS,
  );
  fc.assert(
    fc.property(model, fc.nat(), (m, at) => {
      const raw = serialize(m);
      const cut = raw.slice(0, at % (raw.length + 1));
      const r = parsed(cut);
      // Content-Length says more than what is left: refused, never a short body taken as whole.
      if (r.ok && cut.length < raw.length) assert.ok(bodyOf(r.msg).length <= m.body.length);
      if (m.body.length > 0 && cut.length < raw.length && cut.length > raw.length - m.body.length) assert.equal(r.ok, false);
    }),
    RUNS,
  );
});

test('mutations: bytes overwritten, lines duplicated or dropped never throw', () => {
  const mutated = fc
    .tuple(model, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), fc.nat(), fc.boolean())
    .map(([m, edits, line, duplicate]) => {
      const chars = serialize(m).split('');
      for (const [at, c] of edits) chars[at % chars.length] = String.fromCharCode(c);
      const lines = chars.join('').split('\n');
      const i = line % lines.length;
      if (duplicate) lines.splice(i, 0, lines[i] ?? '');
      else lines.splice(i, 1);
      return lines.join('\n');
    });
  fc.assert(
    fc.property(mutated, (raw) => {
      parsed(raw);
    }),
    RUNS,
  );
});

test('what sipts builds parses back to the same transaction: responses, CANCEL, BYE', () => {
  fc.assert(
    fc.property(model, fc.integer({ min: 100, max: 699 }), token, (m, code, tag) => {
      const req = parsed(serialize({ ...m, request: true, method: 'INVITE', eol: '\r\n' }));
      assert.ok(req.ok);
      const invite = req.msg;
      // RFC 3261 §8.2.6.2: same Via branch, From, Call-ID and CSeq; the To tag added when there was none.
      const res = parsed(buildResponse(invite, code, 'Reason', tag));
      assert.ok(res.ok);
      assert.deepEqual(
        [res.msg.status, res.msg.callId, res.msg.cseq, res.msg.cseqMethod, res.msg.branch, res.msg.fromTag, res.msg.toTag],
        [code, invite.callId, invite.cseq, 'INVITE', invite.branch, invite.fromTag, invite.toTag === '' ? tag : invite.toTag],
      );
      // RFC 3261 §9.1: CANCEL matches the INVITE's transaction: same branch and CSeq number.
      const cancel = parsed(buildCancel(invite));
      assert.ok(cancel.ok);
      assert.deepEqual(
        [cancel.msg.method, cancel.msg.callId, cancel.msg.cseq, cancel.msg.cseqMethod, cancel.msg.branch],
        ['CANCEL', invite.callId, invite.cseq, 'CANCEL', invite.branch],
      );
      // RFC 3261 §15.1.1: BYE in the dialog: the peer's tag, the next CSeq, a new branch.
      const bye = parsed(
        buildBye(invite, {
          peerTagParam: `;tag=${tag}`,
          cseq: invite.cseq + 1,
          branch: 'z9hG4bKbye',
          remoteTarget: 'sip:b@127.0.0.1',
          routes: '',
        }),
      );
      assert.ok(bye.ok);
      assert.deepEqual(
        [bye.msg.method, bye.msg.callId, bye.msg.cseq, bye.msg.cseqMethod, bye.msg.branch, bye.msg.fromTag, bye.msg.toTag],
        ['BYE', invite.callId, invite.cseq + 1, 'BYE', 'z9hG4bKbye', invite.fromTag, invite.toTag === '' ? tag : invite.toTag],
      );
    }),
    RUNS,
  );
});
