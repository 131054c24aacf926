/**
 * SIPp's run-time commands (socket.cpp: process_key, process_set, process_trace, process_dump,
 * process_reset) applied to an engine: the rate scale multiplies the keys, -users runs change users and not
 * the rate, and each refusal is SIPp's warning word for word.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyCommand } from '../../src/cli/commands.js';
import type { KeyTarget } from '../../src/cli/keys.js';
import { Engine } from '../../src/engine/engine.js';
import { builtin, engineConfig } from '../helpers.js';

function target(users = 0): KeyTarget & { quits: number; traces: string[]; run: Engine } {
  const engine = new Engine(
    engineConfig(builtin('uac'), { load: { rate: 10, periodMs: 1000, limit: 0, maxCalls: 0, users } }),
    {},
    () => 0,
  );
  const t = {
    engine,
    run: engine,
    selectScreen: () => undefined,
    quits: 0,
    traces: [] as string[],
    state: { rateScale: 1 },
    variableNames: [['g'], [], ['a', 'b']] as [string[], string[], string[]],
    quit: () => {
      t.quits++;
    },
    setTrace: (name: string, on: boolean) => {
      t.traces.push(`${name} ${on ? 'on' : 'off'}`);
      return true;
    },
  };
  return t;
}

test('keys: + - * / change the rate by 1 and 10 times `set rate-scale`; only the first character of a datagram counts', () => {
  const t = target();
  assert.deepEqual(applyCommand(t, '+'), []);
  assert.equal(t.engine.status().rate, 11);
  applyCommand(t, '*');
  assert.equal(t.engine.status().rate, 21);
  assert.deepEqual(applyCommand(t, 'cset rate-scale 0.5'), []);
  applyCommand(t, '/');
  assert.equal(t.engine.status().rate, 16);
  applyCommand(t, '-+++');
  assert.equal(t.engine.status().rate, 15.5, "SIPp reads a key datagram's first byte only");
  assert.deepEqual(applyCommand(t, 'cset rate 3'), []);
  assert.equal(t.engine.status().rate, 3);
  applyCommand(t, 'p');
  assert.equal(t.engine.status().paused, true, 'p pauses new calls');
  applyCommand(t, 'p');
  assert.equal(t.engine.status().paused, false, 'a second p resumes them');
});

test('a -users run: the keys and `set users` change the users; the rate and the limit cannot be set', () => {
  const t = target(5);
  applyCommand(t, '*');
  assert.equal(t.engine.status().users, 15);
  assert.equal(t.engine.status().rate, 10, 'the rate is left alone');
  assert.deepEqual(applyCommand(t, 'cset users 3'), []);
  assert.equal(t.engine.status().users, 3);
  assert.deepEqual(applyCommand(t, 'cset rate 50'), ['Rates can not be set in a user-based benchmark.']);
  assert.deepEqual(applyCommand(t, 'cset limit 2'), ['Can not set call limit for a user-based benchmark.']);
  assert.deepEqual(applyCommand(t, 'cset users -1'), ['Invalid users value: "-1"']);
});

test('a rate run: set limit changes -l, set users is refused', () => {
  const t = target();
  assert.deepEqual(applyCommand(t, 'cset limit 7'), []);
  assert.equal(t.engine.status().limit, 7);
  assert.deepEqual(applyCommand(t, 'cset limit abc'), ['Invalid limit value: "abc"']);
  assert.deepEqual(applyCommand(t, 'cset users 3'), ['Users can not be changed at run time for a rate-based benchmark.']);
});

test('trace, dump, reset and display; cquit stops gracefully', () => {
  const t = target();
  assert.deepEqual(applyCommand(t, 'ctrace messages on'), []);
  assert.deepEqual(applyCommand(t, 'ctrace error false'), []);
  assert.deepEqual(applyCommand(t, 'ctrace shortmessages on'), []);
  assert.deepEqual(t.traces, ['messages on', 'error off', 'shortmessages on']);
  assert.deepEqual(applyCommand(t, 'ctrace logs maybe'), ["The trace command's second argument must be on or off."]);
  assert.deepEqual(applyCommand(t, 'ctrace messages'), ['The trace command requires two arguments (log and [on|off])']);
  assert.deepEqual(applyCommand(t, 'cdump variables'), [
    '1 level 0 variables:',
    'g',
    '0 level 1 variables:',
    '2 level 2 variables:',
    'a',
    'b',
  ]);
  assert.deepEqual(applyCommand(t, 'cdump tasks'), ['---- 0 Active Tasks ----']);
  assert.deepEqual(applyCommand(t, 'cset display main'), []);
  t.run.stats.count(0, 5);
  assert.equal(t.engine.snapshot().counters.CallsCreated, 5);
  assert.deepEqual(applyCommand(t, 'creset stats'), []);
  assert.equal(t.engine.snapshot().counters.CallsCreated, 0);
  assert.equal(t.engine.snapshot().resets, 1);
  assert.deepEqual(applyCommand(t, 'cquit'), []);
  assert.equal(t.quits, 1);
});
