/**
 * The engines of a -workers run, each the first engine of its own thread (module state is per thread): their ids
 * must still differ. Here two engines with the shares of workers 0 and 1 of 2, in this file's own process (so
 * the first is the process's first engine, as in a worker thread): Call-IDs and branches name the worker
 * (<pid>.w<k>), and the call numbers ([call_number], %u) are the run's stripes, 1, 3, 5 … and 2, 4, 6 ….
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../../src/engine/engine.js';
import type { Endpoint, Transport } from '../../src/transport/transport.js';
import { builtin, engineConfig } from '../helpers.js';

const CALLS = 5;

function placing(index: number, now: () => number): { engine: Engine; sent: string[] } {
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
      load: { rate: 100, periodMs: 1000, limit: 0, maxCalls: CALLS, users: 0, share: { index, of: 2 } },
    }),
    {},
    now,
  );
  engine.start(transport);
  return { engine, sent };
}

const firstInvites = (sent: readonly string[]): string[] => [
  ...new Set(sent.filter((m) => m.startsWith('INVITE ')).map((m) => /^Call-ID: (\S+)/m.exec(m)?.[1] ?? '')),
];

test("workers 0 and 1 of 2: Call-IDs <n>-<pid>.w<k>@host with the run's stripes of call numbers, and branches naming the worker", () => {
  let now = 0;
  const w = [placing(0, () => now), placing(1, () => now)];
  for (now = 0; now <= 1000; now += 10) for (const x of w) x.engine.tick();
  for (const x of w) x.engine.stopNow();
  const [ids0, ids1] = w.map((x) => firstInvites(x.sent));
  assert.deepEqual(
    ids0,
    [1, 3, 5, 7, 9].map((n) => `${n}-${process.pid}.w0@127.0.0.1`),
  );
  assert.deepEqual(
    ids1?.map((id) => id.replace(/\.w1\.[0-9a-z]+@/, '.w1@')),
    [2, 4, 6, 8, 10].map((n) => `${n}-${process.pid}.w1@127.0.0.1`),
  );
  const branch = (x: { sent: string[] }): string => /;branch=([^;\s]+)/.exec(x.sent[0] ?? '')?.[1] ?? '';
  assert.equal(branch(w[0] ?? { sent: [] }), `z9hG4bK-${process.pid}.w0-1-0`);
  assert.match(branch(w[1] ?? { sent: [] }), new RegExp(`^z9hG4bK-${process.pid}\\.w1[.0-9a-z]*-2-0$`));
});
