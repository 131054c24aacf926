import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sippHeaderText } from '../../src/engine/ereg.js';

// The message and the expected texts are what SIPp 3.6.1 captured with regexp=".*" (test/interop/semantics.test.ts
// checks the same against the installed sipp).
const MSG = [
  'OPTIONS sip:x@h SIP/2.0',
  'Via: SIP/2.0/UDP a;branch=z9hG4bK-1',
  'v: SIP/2.0/UDP b;branch=z9hG4bK-2',
  'VIA: SIP/2.0/UDP c',
  'Reply-To: <sip:reply@h>',
  'From: "A" <sip:a@h>;tag=123',
  'To: <sip:x@h>',
  'Subject:   spaced  ',
  '',
  'body',
].join('\r\n');

test('search_in="hdr" finds the header attribute as a plain string, as SIPp does', () => {
  assert.equal(sippHeaderText(MSG, 'From', false, 1, false), ': "A" <sip:a@h>;tag=123');
  assert.equal(sippHeaderText(MSG, 'From:', false, 1, false), ' "A" <sip:a@h>;tag=123');
  assert.equal(sippHeaderText(MSG, 'Via:', false, 1, false), ' SIP/2.0/UDP a;branch=z9hG4bK-1', 'the first only, not joined');
  assert.equal(sippHeaderText(MSG, 'Via:', false, 2, false), '', 'v: and VIA: are other strings');
  assert.equal(sippHeaderText(MSG, 'via:', true, 2, false), ' SIP/2.0/UDP c');
  assert.equal(sippHeaderText(MSG, 'To:', false, 1, false), ' <sip:reply@h>', 'found inside Reply-To:');
  assert.equal(sippHeaderText(MSG, 'To:', false, 1, true), ' <sip:x@h>', 'start_line: at a line start only');
  assert.equal(sippHeaderText(MSG, 't:', false, 1, false), '   spaced  ', 'inside Subject:');
  assert.equal(sippHeaderText(MSG, 'Via', false, 0, false), ': SIP/2.0/UDP a;branch=z9hG4bK-1', 'occurrence 0 is the first');
  assert.equal(sippHeaderText(MSG, 'X-None:', false, 1, false), '');
  assert.equal(sippHeaderText(`X: ${'y'.repeat(3000)}\r\n`, 'X:', false, 1, false).length, 2048, 'SIPp keeps 2048 characters');
});
