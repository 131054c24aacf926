import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InjectionStore, parseInjection } from '../../src/data/injection.js';
import { compileScenarioSource } from '../../src/scenario/compile.js';
import { engineConfig, env, oneCallUac, RawPeer, responseTo, startLocal } from '../helpers.js';

const request = (method: string, extra = ''): string => `<send><![CDATA[
      ${method} sip:x@127.0.0.1 SIP/2.0
      Via: SIP/2.0/UDP [local_ip]:[local_port];branch=[branch]
      From: <sip:me@h>;tag=[call_number]
      To: <sip:x@h>
      Call-ID: [call_id]
      CSeq: [cseq] ${method}
      ${extra}
      Content-Length: 0
    ]]></send>`;

/** Runs one call of `body` against a raw peer that answers the first request with `reply`'s headers. */
async function oneCall(
  body: string,
  replyHeaders: string,
  t: { after: (f: () => void) => void },
): Promise<{ second: string | undefined; snap: ReturnType<Awaited<ReturnType<typeof startLocal>>['engine']['snapshot']> }> {
  const scenario = compileScenarioSource('actions.xml', `<scenario>${body}</scenario>`, env);
  const { uac, peer } = await oneCallUac(t, scenario);
  const first = await peer.next();
  peer.send(responseTo(first, '200 OK', 'peer', replyHeaders), uac.localPort);
  const second = await peer.next(1000).catch(() => undefined);
  await uac.engine.done;
  return { second, snap: uac.engine.snapshot() };
}

test('ereg: whole match and groups into variables, rendered by [$var] in a later message', { timeout: 10_000 }, async (t) => {
  const { second, snap } = await oneCall(
    `
    ${request('OPTIONS')}
    <recv response="200">
      <action>
        <ereg regexp="sip:([[:alnum:]]+)@([^;>]+)" search_in="hdr" header="Contact:" check_it="true" assign_to="all,user,host"/>
        <ereg regexp="^SIP/2.0 ([0-9]+)" search_in="msg" start_line="true" assign_to="line,code"/>
        <ereg regexp="nothing-like-this" search_in="msg" assign_to="absent"/>
        <assign assign_to="n" value="2"/>
        <add assign_to="n" value="3"/>
        <test assign_to="big" variable="n" compare="greater_than" value="4"/>
        <strcmp assign_to="cmp" variable="user" value="bob"/>
        <assignstr assign_to="s" value="[$user] at [$host]"/>
      </action>
    </recv>
    ${request('MESSAGE', 'X-All: [$all]\n      X-Parts: [$user]|[$host]|[$code]|[$absent]|\n      X-Num: [$n] [$big] [$cmp]\n      X-Str: [$s]')}`,
    'Contact: "Bob" <sip:bob@10.1.2.3:5070;transport=udp>\r\n',
    t,
  );
  assert.equal(snap.counters.SuccessfulCalls, 1, JSON.stringify(snap.failures));
  assert.ok(second !== undefined);
  assert.match(second, /\r\nX-All: sip:bob@10\.1\.2\.3:5070\r\n/);
  assert.match(second, /\r\nX-Parts: bob\|10\.1\.2\.3:5070\|200\|\|\r\n/, 'an ereg that does not match leaves its variable unset');
  // SIPp compat: numbers print like C's %lf, and 0 (the <strcmp> of equal strings) as nothing, as SIPp 3.6.1 does.
  assert.match(second, /\r\nX-Num: 5\.000000 true \r\n/);
  assert.match(second, /\r\nX-Str: bob at 10\.1\.2\.3:5070\r\n/);
});

test('check_it: a regexp that must match and does not fails the call with its reason', { timeout: 10_000 }, async (t) => {
  const { snap } = await oneCall(
    `${request('OPTIONS')}
    <recv response="200"><action><ereg regexp="^nope" search_in="body" check_it="true" assign_to="x"/></action></recv>`,
    '',
    t,
  );
  assert.equal(snap.failures.FailedRegexpDoesntMatch, 1);
});

test(
  'check_it on a missing header: FailedRegexpHdrNotFound; check_it_inverse: FailedRegexpShouldntMatch',
  { timeout: 10_000 },
  async (t) => {
    const a = await oneCall(
      `${request('OPTIONS')}
    <recv response="200"><action><ereg regexp="." search_in="hdr" header="X-Missing" check_it="true" assign_to="x"/></action></recv>`,
      '',
      t,
    );
    assert.equal(a.snap.failures.FailedRegexpHdrNotFound, 1);
    const b = await oneCall(
      `${request('OPTIONS')}
    <recv response="200"><action><ereg regexp="OK" search_in="msg" check_it_inverse="true" assign_to="x"/></action></recv>`,
      '',
      t,
    );
    assert.equal(b.snap.failures.FailedRegexpShouldntMatch, 1);
  },
);

test('test= takes next only when the variable is set; int_cmd stop_call ends the call', { timeout: 10_000 }, async (t) => {
  const body = (regexp: string): string => `${request('OPTIONS')}
    <recv response="200" test="hit" next="skip"><action><ereg regexp="${regexp}" search_in="msg" assign_to="hit"/></action></recv>
    ${request('MESSAGE', 'X-Path: not-skipped')}
    <label id="skip"/>
    <nop><action><exec int_cmd="stop_call"/></action></nop>
    ${request('MESSAGE', 'X-Path: never')}`;
  const skipped = await oneCall(body('200 OK'), '', t);
  assert.equal(skipped.second, undefined, 'the jump skipped the MESSAGE and stop_call ended the call');
  assert.equal(skipped.snap.counters.SuccessfulCalls, 1);
  const taken = await oneCall(body('no such text'), '', t);
  assert.match(taken.second ?? '', /\r\nX-Path: not-skipped\r\n/);
});

test('undefined variables, unknown keywords and actions missing an attribute: each with file:line:col', () => {
  const source = [
    '<scenario name="vars">', // 1
    '  <send><![CDATA[', // 2
    '    OPTIONS sip:x SIP/2.0', // 3
    '    X-A: [$never_set]', // 4
    '    X-B: [no_such_keyword]', // 5
    '  ]]></send>', // 6
    '  <recv response="200" test="nor_this" next="end">', // 7
    '    <action>', // 8
    '      <ereg search_in="msg" assign_to="x"/>', // 9
    '      <add assign_to="x"/>', // 10
    '      <strcmp assign_to="y" variable="ghost" value="a"/>', // 11
    '    </action>', // 12
    '  </recv>', // 13
    '  <label id="end"/>', // 14
    '</scenario>', // 15
  ].join('\n');
  assert.throws(
    () => compileScenarioSource('vars.xml', source, env),
    (e: unknown) => {
      const m = e instanceof Error ? e.message : '';
      // Errors only: the file also gets a warning (no <?xml declaration, which SIPp requires).
      const lines = m
        .split('\n')
        .filter((l) => l.startsWith('vars.xml:') && l.includes(': error: '))
        .map((l) => l.replace(/^vars\.xml:/, ''));
      assert.deepEqual(lines, [
        '4:10: error: variable "never_set" is used but never assigned',
        '5:10: error: unknown keyword [no_such_keyword]',
        '7:24: error: variable "nor_this" is used but never assigned',
        '9:7: error: <ereg> needs a regexp attribute',
        '10:7: error: <add> needs value="…" or variable="…"',
        '11:29: error: variable "ghost" is used but never assigned',
      ]);
      return true;
    },
  );
});

test('-inf SEQUENTIAL: each call takes the next line, wrapping; [fieldN line=M] reads a fixed line', { timeout: 10_000 }, async (t) => {
  const inj = parseInjection('users.csv', 'SEQUENTIAL\nalice;a-pw\nbob;b-pw\n', []);
  assert.ok(inj);
  const peer = new RawPeer();
  const port = await peer.open();
  const scenario = compileScenarioSource(
    'inf.xml',
    `<scenario>${request('MESSAGE', 'X-User: [field0] [field1 file="users.csv"] first=[field0 line=0]')}</scenario>`,
    { ...env, injectionFiles: ['users.csv'] },
  );
  assert.deepEqual(scenario.fieldsUsed, [1]);
  const uac = await startLocal(
    engineConfig(scenario, {
      remote: { address: '127.0.0.1', port },
      injection: new InjectionStore([inj]),
      load: { rate: 100, periodMs: 1000, limit: 0, maxCalls: 3, users: 0 },
    }),
  );
  t.after(() => {
    uac.engine.stopNow();
    peer.close();
  });
  const seen = [await peer.next(), await peer.next(), await peer.next()].map((m) => /X-User: (.*)\r\n/.exec(m)?.[1]);
  assert.deepEqual(seen, ['alice a-pw first=alice', 'bob b-pw first=alice', 'alice a-pw first=alice']);
});

test('start_txn/response_txn match responses to their own request; sample, counter and repeat_rtd', { timeout: 10_000 }, async (t) => {
  const scenario = (order: string): string => `<scenario>
    <nop counter="begun"><action><sample assign_to="s" distribution="fixed" value="3"/></action></nop>
    ${request('OPTIONS').replace('<send>', '<send start_txn="a">')}
    ${request('MESSAGE', 'X-Sample: [$s]').replace('<send>', '<send start_txn="b">')}
    <recv response="200" response_txn="${order[0]}" rtd="t" repeat_rtd="true" counter="got"/>
    <recv response="200" response_txn="${order[1]}" rtd="t" repeat_rtd="true" counter="got"/>
  </scenario>`;
  for (const [order, answerFirst, ok] of [
    ['ba', 'MESSAGE', true],
    ['ab', 'MESSAGE', false],
  ] as const) {
    const { uac, peer } = await oneCallUac(t, compileScenarioSource('txn.xml', scenario(order), env));
    const sent = [await peer.next(), await peer.next()];
    const answer = (m: string): void => peer.send(responseTo(m, '200 OK', 'p'), uac.localPort);
    assert.match(sent[1] ?? '', /\r\nX-Sample: 3\.000000\r\n/);
    const [first, second] = answerFirst === 'MESSAGE' ? [sent[1], sent[0]] : [sent[0], sent[1]];
    answer(first ?? '');
    answer(second ?? '');
    await uac.engine.done;
    const s = uac.engine.snapshot();
    if (ok) {
      assert.equal(s.counters.SuccessfulCalls, 1, JSON.stringify(s.unexpected));
      assert.deepEqual(s.userCounters, { begun: 1, got: 2 });
      assert.equal(s.rtd[0]?.summary.count, 2, 'repeat_rtd: measured at both steps');
    } else {
      assert.equal(s.failures.FailedUnexpectedMessage, 1, 'the MESSAGE 200 is not a response to transaction a');
    }
  }
});

test(
  'lookup, insert and replace over an -infindex, read back with [fieldN line="[$var]"]; setdest moves the call',
  { timeout: 10_000 },
  async (t) => {
    const inj = parseInjectionFile('users.csv', 'SEQUENTIAL\nalice;a-pw\nbob;b-pw\ncarol;c-pw\n');
    const first = new RawPeer();
    const second = new RawPeer();
    const port1 = await first.open();
    const port2 = await second.open();
    const scenario = compileScenarioSource(
      'lookup.xml',
      `<scenario>
    <nop><action>
      <lookup assign_to="bob" file="users.csv" key="bob"/>
      <insert file="users.csv" value="dave;d-pw"/>
      <lookup assign_to="dave" file="users.csv" key="dave"/>
      <replace file="users.csv" line="[$bob]" value="bob;changed"/>
      <lookup assign_to="nobody" file="users.csv" key="zed"/>
      <setdest host="127.0.0.1" port="${port2}" protocol="udp"/>
    </action></nop>
    ${request('MESSAGE', 'X-Found: [field1 line="[$bob]"] [field1 line="[$dave]"] [$nobody]')}
  </scenario>`,
      { ...env, injectionFiles: ['users.csv'] },
    );
    const uac = await startLocal(
      engineConfig(scenario, {
        remote: { address: '127.0.0.1', port: port1 },
        injection: new InjectionStore([inj], [{ file: 0, field: 0 }]),
        load: { rate: 1, periodMs: 1000, limit: 0, maxCalls: 1, users: 0 },
      }),
    );
    t.after(() => {
      uac.engine.stopNow();
      first.close();
      second.close();
    });
    const msg = await second.next();
    assert.match(msg, /\r\nX-Found: changed d-pw -1\.000000\r\n/);
    assert.deepEqual(await first.drain(100), [], 'setdest sent the message elsewhere');
  },
);

function parseInjectionFile(path: string, text: string): NonNullable<ReturnType<typeof parseInjection>> {
  const f = parseInjection(path, text, []);
  assert.ok(f);
  return f;
}

test('<User> variables carry over from one call of a -users user to its next; call variables do not', { timeout: 10_000 }, async (t) => {
  const peer = new RawPeer();
  const port = await peer.open();
  const scenario = compileScenarioSource(
    'user.xml',
    `<scenario>
    <User variables="visits"/>
    <nop><action><add assign_to="visits" value="1"/><add assign_to="fresh" value="1"/></action></nop>
    ${request('MESSAGE', 'X-Count: [$visits] [$fresh] [userid]')}
  </scenario>`,
    env,
  );
  const uac = await startLocal(
    engineConfig(scenario, { remote: { address: '127.0.0.1', port }, load: { rate: 1, periodMs: 1000, limit: 0, maxCalls: 3, users: 1 } }),
  );
  t.after(() => {
    uac.engine.stopNow();
    peer.close();
  });
  // SIPp 3.6.1 numbers -users users from 1: [userid] of user 1's calls is 1.
  const seen = [await peer.next(), await peer.next(), await peer.next()].map((m) => /X-Count: (.*)\r\n/.exec(m)?.[1]);
  assert.deepEqual(seen, ['1.000000 1.000000 1', '2.000000 1.000000 1', '3.000000 1.000000 1']);
});
