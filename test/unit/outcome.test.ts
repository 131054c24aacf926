import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Failure, FAILURE_REASONS, SUCCESS } from '../../src/events/outcome.js';

test('each failure reason has one frozen outcome whose index is its place in FAILURE_REASONS (the stat column order)', () => {
  assert.equal(Object.keys(Failure).length, FAILURE_REASONS.length);
  FAILURE_REASONS.forEach((reason, i) => {
    const o = Failure[reason];
    assert.deepEqual({ ...o }, { kind: 'failed', reason, index: i });
    assert.ok(Object.isFrozen(o), `${reason} is frozen`);
    // Built once: the same object every time, so ending a call allocates nothing.
    assert.equal(Failure[reason], o);
  });
  assert.ok(Object.isFrozen(Failure));
  assert.equal(SUCCESS.kind, 'success');
  assert.ok(Object.isFrozen(SUCCESS));
});

test('SIPp counter names: the congestion and connect reasons are the ones SIPp counts', () => {
  // SIPp's stat file has FailedOutboundCongestion and FailedTcpConnect columns (sipp -h: -trace_stat).
  assert.equal(Failure.FailedOutboundCongestion.reason, 'FailedOutboundCongestion');
  assert.equal(Failure.FailedTcpConnect.reason, 'FailedTcpConnect');
});
