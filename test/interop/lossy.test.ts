/**
 * Issue 5: loss and disorder. A relay on loopback drops 10% of the datagrams each way, duplicates some and
 * delays others (so they arrive out of order). Every call must complete through retransmissions, with the
 * retransmissions counted and no call counted twice.
 *
 * sipts against sipts takes all of it: loss, duplicates and reordering, 0 failed calls on either side.
 * SIPp's built-in scenarios do not: measured with SIPp 3.6.1 at 10% loss, each of its sides drops 0.1% to 2%
 * of the calls by itself, so against SIPp the tests check that every call sipts fails is one SIPp ended:
 * - its uas aborts a call when the INVITE comes again after it sent the 200 (both 180 and 200 were lost,
 *   so the UAC retransmitted), and on an ACK that arrives after the BYE;
 * - its uas forgets a call 4 s after its 200 (BYE), where RFC 3261 §17.2.2 keeps answering for 32 s
 *   (timer J), so a BYE whose 200s are lost for 4 s is never answered;
 * - its uac matches a response by code alone: when its ACK and BYE are both lost, it takes the UAS's
 *   retransmitted 200 (INVITE) for the 200 (BYE) and ends the call, leaving the UAS without ACK or BYE;
 * - both abort a call on a message that arrives out of order (a 180 after the 200), so against SIPp the
 *   relay drops and duplicates but does not reorder.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { countersOf, sipp, sippAvailable, sipts, startSippUas, startSiptsUas, xorshift32 } from '../helpers.js';

const skip = sippAvailable() ? false : 'sipp is not installed (apt-get install sip-tester)';

interface Chaos {
  lossPercent: number;
  duplicatePercent: number;
  delayPercent: number;
}
interface RelayStats {
  forwarded: number;
  dropped: number;
  duplicated: number;
  delayed: number;
}
interface Relay {
  port: number;
  stats: RelayStats;
  /** Call-IDs whose BYE got at least one response through to the client. */
  byeAnswered: Set<string>;
  /** Call-IDs whose BYE got through to the server at least once. */
  byeDelivered: Set<string>;
  close: () => void;
}

const LOSSY: Chaos = { lossPercent: 10, duplicatePercent: 3, delayPercent: 5 };

/** A UDP relay: whatever the client sends goes to `server`, and back, with loss, duplicates and delays. */
async function lossyRelay(serverPort: number, chaos: Chaos, seed: number): Promise<Relay> {
  const random = xorshift32(seed);
  const socket = dgram.createSocket('udp4');
  const stats: RelayStats = { forwarded: 0, dropped: 0, duplicated: 0, delayed: 0 };
  const byeAnswered = new Set<string>();
  const byeDelivered = new Set<string>();
  const callId = (m: Buffer): string => /^Call-ID:\s*(\S+)/im.exec(m.toString('latin1'))?.[1] ?? '';
  let client: { port: number; address: string } | undefined;
  const timers = new Set<NodeJS.Timeout>();
  socket.on('message', (msg, from) => {
    const toServer = from.port !== serverPort;
    if (toServer) client = { port: from.port, address: from.address };
    const to = toServer ? { port: serverPort, address: '127.0.0.1' } : client;
    if (to === undefined) return;
    if (random() * 100 < chaos.lossPercent) {
      stats.dropped++;
      return;
    }
    const send = (): void => {
      socket.send(msg, to.port, to.address);
      stats.forwarded++;
      if (!toServer && /^CSeq:\s*\d+\s+BYE\s*$/im.test(msg.toString('latin1'))) byeAnswered.add(callId(msg));
      if (toServer && msg.toString('latin1', 0, 4) === 'BYE ') byeDelivered.add(callId(msg));
    };
    const roll = random() * 100;
    if (roll < chaos.duplicatePercent) {
      stats.duplicated++;
      send();
      send();
      return;
    }
    if (roll < chaos.duplicatePercent + chaos.delayPercent) {
      // Held back 5 to 60 ms: later datagrams overtake it.
      stats.delayed++;
      const t = setTimeout(
        () => {
          timers.delete(t);
          send();
        },
        5 + random() * 55,
      );
      timers.add(t);
      return;
    }
    send();
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return {
    port: socket.address().port,
    stats,
    byeAnswered,
    byeDelivered,
    close: () => {
      for (const t of timers) clearTimeout(t);
      socket.close();
    },
  };
}

const UAC = (target: string, json: string, extra: readonly string[] = []): string[] => [
  '-sn',
  'uac',
  target,
  '-i',
  '127.0.0.1',
  '-p',
  '0',
  '-cp',
  '0',
  '-r',
  '100',
  '-m',
  '1000',
  '-recv_timeout',
  '20000',
  '--json',
  json,
  ...extra,
];

/** Call-IDs of the calls sipts failed, from its -trace_err file. */
function siptsFailedIds(dir: string): Set<string> {
  const ids = new Set<string>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('_errors.log'))) {
    for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/Call-Id '([^']+)'(?::? no answer| timed out)/g)) ids.add(m[1] ?? '');
  }
  return ids;
}

test(
  'sipts UAC and UAS through a relay losing 10% each way, duplicating and reordering: 1,000 calls, 0 failed, retransmissions counted',
  { timeout: 240_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sipts-lossy-'));
    const uasJson = join(dir, 'uas.json');
    const uas = await startSiptsUas(['-cp', '0', '--json', uasJson]);
    t.after(() => uas.child.kill('SIGKILL'));
    const relay = await lossyRelay(uas.port, LOSSY, 0x5eed);
    t.after(() => relay.close());
    const uacJson = join(dir, 'uac.json');
    // A BYE and its 5 retransmissions (the default) are all lost in about 1 run in 20 at 10% loss each way
    // (0.19^6 per call, 1,000 calls): 10 retransmissions, and the time they take, make that ~1 in 10^4.
    const more = ['-max_retrans', '10', '-max_non_invite_retrans', '10', '-recv_timeout', '40000'];
    const r = await sipts(UAC(`127.0.0.1:${relay.port}`, uacJson, more), 200_000).exited;
    uas.child.kill('SIGTERM');
    await uas.exited;
    const c = countersOf(uacJson);
    const s = countersOf(uasJson);
    assert.equal(r.code, 0, `${JSON.stringify(c)}\n${r.stdout.slice(-2500)}`);
    assert.ok(relay.stats.dropped > 500 && relay.stats.duplicated > 100 && relay.stats.delayed > 200, JSON.stringify(relay.stats));
    for (const [side, k] of [
      ['UAC', c],
      ['UAS', s],
    ] as const) {
      assert.equal(k['CallsCreated'], 1000, `${side}: one call per Call-ID, duplicates and retransmissions create none`);
      assert.equal(k['SuccessfulCalls'], 1000, `${side}: ${JSON.stringify(k)}`);
      assert.equal(k['FailedCalls'], 0, side);
      assert.ok((k['Retransmissions'] ?? 0) > 100, `${side} retransmissions: ${k['Retransmissions']}`);
    }
  },
);

test(
  'sipp -sn uac through the lossy relay to a sipts UAS: SIPp fails only calls whose BYE the relay left unanswered; sipts fails only calls SIPp ended early or never sent a BYE for',
  { skip, timeout: 240_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sipts-lossy-'));
    const uasJson = join(dir, 'uas.json');
    const uas = await startSiptsUas(['-cp', '0', '--json', uasJson, '-trace_err', '-error_file', join(dir, 'sipts_errors.log')]);
    t.after(() => uas.child.kill('SIGKILL'));
    const relay = await lossyRelay(uas.port, { ...LOSSY, delayPercent: 0 }, 0x5eed);
    t.after(() => relay.close());
    const r = await sipp(
      [
        '-sn',
        'uac',
        `127.0.0.1:${relay.port}`,
        '-i',
        '127.0.0.1',
        '-r',
        '100',
        '-m',
        '1000',
        '-trace_err',
        '-error_file',
        join(dir, 'sipp.log'),
        '-trace_calldebug',
        '-calldebug_file',
        join(dir, 'sipp_calldebug.log'),
      ],
      200_000,
      dir,
    ).exited;
    uas.child.kill('SIGTERM');
    await uas.exited;
    const s = countersOf(uasJson);
    // SIPp 3.6.1 sends a BYE up to 10 times (it retransmits a non-INVITE 9 times, whatever its -h says); at 10%
    // loss each way a send and its answer both get through 81% of the time, so a call whose every BYE or answer
    // was dropped is rare (0.19^10 a call), and SIPp fails it, rightly. Any other call SIPp fails is ours to explain.
    const sippFailed = new Set(
      [
        ...readFileSync(join(dir, 'sipp_calldebug.log'), { encoding: 'utf8', flag: 'a+' }).matchAll(
          /Call debugging information for call (\S+):/g,
        ),
      ].map((m) => m[1] ?? ''),
    );
    assert.equal(r.code, sippFailed.size === 0 ? 0 : 1, `SIPp: ${r.stdout.slice(-1500)}`);
    t.diagnostic(`SIPp failed ${sippFailed.size} of 1000`);
    assert.ok(sippFailed.size < 5, `SIPp failed ${[...sippFailed].join(' ')}`);
    for (const id of sippFailed) assert.ok(!relay.byeAnswered.has(id), `SIPp failed ${id}, whose BYE was answered through the relay`);
    assert.equal(s['CallsCreated'], 1000);
    assert.ok((s['Retransmissions'] ?? 0) > 100, `retransmissions: ${s['Retransmissions']}`);
    // SIPp ended these calls as successful on our retransmitted 200 (INVITE): its ACK and BYE never came.
    // SIPp's log shows it only when a later retransmission reaches the dead call; when SIPp took the last one
    // that got through, the relay shows it instead: no BYE of that call ever reached sipts.
    const sippLog = readFileSync(join(dir, 'sipp.log'), 'utf8');
    const endedEarly = new Set(
      [...sippLog.matchAll(/Dead call (\S+) \(successful\), received 'SIP\/2\.0 200 OK[^']*CSeq: 1 INVITE/g)].map((m) => m[1] ?? ''),
    );
    const failed = siptsFailedIds(dir);
    assert.equal(failed.size, s['FailedCalls'], 'every failed call is in the error trace');
    assert.equal((s['SuccessfulCalls'] ?? 0) + failed.size, 1000);
    t.diagnostic(`sipts failed ${failed.size} of 1000`);
    // The README's claim: SIPp's uac loses 0.1% to 2% of the calls by itself here (4 to 8 of 1,000 measured),
    // and the test fails above 2.5%.
    assert.ok(failed.size <= 25, `${failed.size} failed: more than the README's 2.5%`);
    for (const id of failed)
      assert.ok(
        endedEarly.has(id) || !relay.byeDelivered.has(id),
        `sipts failed ${id}, which SIPp did not end early, and whose BYE reached sipts`,
      );
  },
);

test(
  'sipts UAC through the lossy relay to sipp -sn uas: every call sipts fails is one SIPp aborted',
  { skip, timeout: 240_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sipts-lossy-'));
    const { port, child } = await startSippUas(dir, 'uas', ['-trace_err', '-error_file', join(dir, 'sipp.log')]);
    t.after(() => child.kill('SIGKILL'));
    const relay = await lossyRelay(port, { ...LOSSY, delayPercent: 0 }, 0x5eed);
    t.after(() => relay.close());
    const json = join(dir, 'uac.json');
    await sipts(UAC(`127.0.0.1:${relay.port}`, json, ['-trace_err', '-error_file', join(dir, 'sipts_errors.log')]), 200_000).exited;
    const c = countersOf(json);
    assert.equal(c['CallsCreated'], 1000);
    assert.ok((c['Retransmissions'] ?? 0) > 100, `retransmissions: ${c['Retransmissions']}`);
    const sippLog = readFileSync(join(dir, 'sipp.log'), 'utf8');
    const aborted = new Set([
      ...[...sippLog.matchAll(/Aborting call on unexpected message for Call-Id '([^']+)'/g)].map((m) => m[1] ?? ''),
      // Its timewait ended (4 s after its 200 to the BYE) while our BYE was still being retransmitted.
      ...[...sippLog.matchAll(/Dead call (\S+) \(successful\), received 'BYE /g)].map((m) => m[1] ?? ''),
    ]);
    const failed = siptsFailedIds(dir);
    assert.equal(failed.size, c['FailedCalls'], 'every failed call is in the error trace');
    assert.equal((c['SuccessfulCalls'] ?? 0) + failed.size, 1000);
    t.diagnostic(`sipts failed ${failed.size} of 1000, SIPp aborted ${aborted.size}`);
    // The README's claim: SIPp's uas loses 0.1% to 2% of the calls by itself here (1 to 18 of 1,000 measured),
    // and the test fails above 2.5%.
    assert.ok(failed.size <= 25, `${failed.size} failed: more than the README's 2.5%`);
    for (const id of failed) assert.ok(aborted.has(id), `sipts failed ${id}, which SIPp did not abort`);
  },
);
