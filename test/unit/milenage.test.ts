import assert from 'node:assert/strict';
import { test } from 'node:test';
import { akaResponse, milenage, opc } from '../../src/sip/milenage.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

test('3GPP TS 35.207 test set 1', () => {
  const k = hex('465b5ce8b199b49faa5f0a2ee238a6bc');
  const opC = opc(k, hex('cdc202d5123e20f62b6d676ac72cb318'));
  assert.equal(opC.toString('hex'), 'cd63cb71954a9f4e48a5994e37a02baf');
  const out = milenage(k, opC, hex('23553cbe9637a89d218ae64dae47bf35'), hex('ff9bb4d0b607'), hex('b9b9'));
  assert.equal(out.macA.toString('hex'), '4a9ffac354dfafb3');
  assert.equal(out.res.toString('hex'), 'a54211d5e3ba50bf');
  assert.equal(out.ck.toString('hex'), 'b40ba9a3c58b2a05bbf0d987b21bf8cb');
  assert.equal(out.ik.toString('hex'), 'f769bcd751044604127672711c6d3441');
  assert.equal(out.ak.toString('hex'), 'aa689c648370');
});

test('RES from an AKA nonce (RAND || AUTN, with SQN hidden by AK)', () => {
  const sqnXorAk = Buffer.from(hex('ff9bb4d0b607').map((v, i) => v ^ (hex('aa689c648370')[i] ?? 0)));
  const nonce = Buffer.concat([hex('23553cbe9637a89d218ae64dae47bf35'), sqnXorAk, hex('b9b9'), hex('4a9ffac354dfafb3')]).toString('base64');
  assert.equal(
    akaResponse(nonce, '465b5ce8b199b49faa5f0a2ee238a6bc', 'cdc202d5123e20f62b6d676ac72cb318')?.toString('hex'),
    'a54211d5e3ba50bf',
  );
});
