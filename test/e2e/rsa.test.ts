/**
 * Issue 16, -rsa: a raw UDP peer stands as the outbound proxy. Every message of the call reaches it, none
 * reaches the remote host, and the Request-URI and [remote_ip]/[remote_port] still name the remote host.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RawPeer, responseTo, sipts } from '../helpers.js';

test('-rsa host:port: the whole call goes to the proxy, the Request-URI names the remote host', { timeout: 30_000 }, async (t) => {
  const proxy = new RawPeer();
  const remote = new RawPeer();
  const proxyPort = await proxy.open();
  const remotePort = await remote.open();
  t.after(() => {
    proxy.close();
    remote.close();
  });
  const run = sipts(
    [
      '-sn',
      'uac',
      `127.0.0.1:${remotePort}`,
      '-rsa',
      `127.0.0.1:${proxyPort}`,
      '-i',
      '127.0.0.1',
      '-p',
      '0',
      '-cp',
      '0',
      '-m',
      '1',
      '-nostdin',
    ],
    20_000,
  ).exited;
  const invite = await proxy.next(5000);
  assert.match(invite, new RegExp(`^INVITE sip:service@127\\.0\\.0\\.1:${remotePort} SIP/2\\.0\r\n`));
  assert.match(invite, new RegExp(`^To: .*sip:service@127\\.0\\.0\\.1:${remotePort}`, 'm'));
  const via = Number(/^Via: SIP\/2\.0\/UDP [^:]+:(\d+)/m.exec(invite)?.[1]);
  proxy.send(responseTo(invite, '200 OK', 'p1', `Contact: <sip:service@127.0.0.1:${remotePort}>\r\n`), via);
  const ack = await proxy.next(5000);
  assert.match(ack, /^ACK /);
  const bye = await proxy.next(5000);
  assert.match(bye, /^BYE /);
  proxy.send(responseTo(bye, '200 OK', 'p1'), via);
  const r = await run;
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await remote.drain(200), [], 'nothing was sent to the remote host itself');
});

test('-rsa with a bad address is refused with the expected form', async () => {
  const r = await sipts(['-sn', 'uac', '127.0.0.1:5060', '-rsa', 'a:b:c:d', '-cp', '0']).exited;
  assert.equal(r.code, 255);
  assert.match(r.stderr, /^sipts: -rsa a:b:c:d: expected host:port of the address to send to/m);
});
