import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { InjectionStore, parseInjection } from '../../src/data/injection.js';
import { readBuiltin } from '../../src/scenario/builtin.js';
import { compileScenarioSource } from '../../src/scenario/compile.js';
import { engineConfig, env, ROOT, startLocal } from '../helpers.js';

test(
  'register built-in answers a SHA-256 digest challenge; the registrar verifies it; a wrong password gets 403',
  { timeout: 20_000 },
  async (t) => {
    // The registrar reads the true passwords; the registering side has one wrong line (bob).
    const truth = parseInjection('truth.csv', 'SEQUENTIAL\nalice;secret\nbob;hunter2\ncarol;pa55\n', []);
    const given = parseInjection('users.csv', 'SEQUENTIAL\nalice;secret\nbob;WRONG\ncarol;pa55\n', []);
    assert.ok(truth && given);
    const registrarXml = readFileSync(join(ROOT, 'test/fixtures/registrar.xml'), 'utf8');
    const registrar = await startLocal(
      engineConfig(compileScenarioSource('registrar.xml', registrarXml, { ...env, injectionFiles: ['truth.csv'] }), {
        injection: new InjectionStore([truth]),
      }),
    );
    const reg = readBuiltin('register');
    assert.ok(reg);
    const uac = await startLocal(
      engineConfig(compileScenarioSource('register.xml', reg.source, { ...env, injectionFiles: ['users.csv'] }), {
        remote: { address: '127.0.0.1', port: registrar.localPort },
        injection: new InjectionStore([given]),
        load: { rate: 50, periodMs: 1000, limit: 0, maxCalls: 30, users: 0 },
      }),
    );
    t.after(() => {
      uac.engine.stopNow();
      registrar.engine.stopNow();
    });
    await uac.engine.done;
    const s = uac.engine.snapshot();
    assert.equal(s.counters.SuccessfulCalls, 20, JSON.stringify(s.counters));
    assert.equal(s.counters.FailedCalls, 10, 'every third call is bob with the wrong password');
    assert.equal(s.failures.FailedUnexpectedMessage, 10, 'the 403 was not what the scenario waited for');
    const r = registrar.engine.snapshot();
    assert.equal(r.counters.SuccessfulCalls, 30);
    assert.equal(r.steps[4]?.sent, 10, '403 sent to every wrong password');
    assert.equal(r.steps[5]?.sent, 20, '200 sent to every right one');
  },
);
