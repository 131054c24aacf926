/**
 * Each engine names its calls and transactions in a space of its own (engine/id-space.ts): two engines in one
 * process never send the same Call-ID or Via branch (RFC 3261 §8.1.1.4, §8.1.1.7), while the process's first
 * engine still names them by the pid alone, as SIPp does (call::add_call's %u-%p@%s, z9hG4bK-<pid>-…).
 * Node's test runner runs each file in a process of its own, so the first engine made here is the process's first.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../../src/engine/engine.js';
import type { Endpoint, Transport } from '../../src/transport/transport.js';
import { builtin, engineConfig } from '../helpers.js';

const CALLS = 20;

/** An engine placing CALLS uac calls over a fake transport, in virtual time; what it sent. */
function placing(now: () => number): { engine: Engine; sent: string[] } {
  const sent: string[] = [];
  const ep: Endpoint = {
    localAddress: '127.0.0.1',
    localPort: 5998,
    openCalls: 0,
    send: (raw) => {
      sent.push(raw);
      return true;
    },
  };
  const transport: Transport = {
    name: 'UDP',
    reliable: false,
    localPort: 5998,
    acquire: (ready) => ready(ep),
    release: () => undefined,
    close: () => Promise.resolve(),
  };
  const engine = new Engine(
    engineConfig(builtin('uac'), {
      remote: { address: '127.0.0.1', port: 5999 },
      load: { rate: 100, periodMs: 1000, limit: 0, maxCalls: CALLS, users: 0 },
    }),
    {},
    now,
  );
  engine.start(transport);
  return { engine, sent };
}

const values = (sent: readonly string[], pattern: RegExp): string[] =>
  sent.flatMap((m) => {
    const v = pattern.exec(m)?.[1];
    return v === undefined ? [] : [v];
  });
const CALL_ID = /^Call-ID: (\S+)/m;
const BRANCH = /^Via: [^\r\n]*;branch=([^;\s]+)/m;

test('two engines in one process send disjoint Call-IDs and branches; the first names them by the pid alone, as SIPp', () => {
  let now = 0;
  const a = placing(() => now);
  const b = placing(() => now);
  for (now = 0; now <= 1000; now += 10) {
    a.engine.tick();
    b.engine.tick();
  }
  a.engine.stopNow();
  b.engine.stopNow();
  const ids = [values(a.sent, CALL_ID), values(b.sent, CALL_ID)];
  const branches = [values(a.sent, BRANCH), values(b.sent, BRANCH)];
  for (const side of [...ids, ...branches]) assert.ok(side.length >= CALLS, `each engine sent its ${CALLS} INVITEs: ${side.length}`);
  assert.equal(new Set(ids[0]).size, CALLS, 'a Call-ID a call');
  assert.equal(new Set(ids[1]).size, CALLS);
  const [idsA, idsB] = ids.map((v) => new Set(v));
  const [brA, brB] = branches.map((v) => new Set(v));
  assert.deepEqual(
    [...(idsA ?? [])].filter((id) => idsB?.has(id)),
    [],
    'no Call-ID in both',
  );
  assert.deepEqual(
    [...(brA ?? [])].filter((br) => brB?.has(br)),
    [],
    'no branch in both',
  );
  // SIPp compat for the first engine (the process's own ids): Call-ID %u-%p@%s, branch z9hG4bK-<pid>-<call>-<message>.
  assert.equal(ids[0]?.[0], `1-${process.pid}@127.0.0.1`);
  assert.equal(branches[0]?.[0], `z9hG4bK-${process.pid}-1-0`);
  for (const id of ids[1] ?? [])
    assert.match(id, new RegExp(`^\\d+-${process.pid}\\.[0-9a-z]+@127\\.0\\.0\\.1$`), 'a later engine: the pid and its own tag');
  for (const br of branches[1] ?? []) assert.ok(br.startsWith('z9hG4bK-'), `RFC 3261 §8.1.1.7 magic cookie: ${br}`);
});
