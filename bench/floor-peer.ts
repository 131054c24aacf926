/**
 * The floor of the CPU comparison: about the least a Node.js program can spend on a call over node:dgram.
 * It places or answers the calls of the built-in uac and uas with string search and concatenation: one
 * 'message' event per datagram and one `send` per message. That is what any Node tool pays before its
 * own SIP work, so `npm run bench` measures it against SIPp in the same run, beside sipts.
 *
 * With `-inf FILE` (the command line of `npm run bench -- register`) it registers instead, for the floor of
 * the registration workload (issue 21): per user of the injection file, a REGISTER, the 401's nonce and realm
 * found by string search, the digest computed with node:crypto (through digest.ts's hashHex, the one hash call
 * sipts makes, so the floor hashes no dearer than sipts), the second REGISTER, the 200.
 *
 * It is not a SIP implementation and not part of sipts: it knows only those messages, does no
 * retransmission and no matching beyond the Call-ID. It takes the part of the command line the benchmark
 * gives every tool: `-sn uac|uas`, the remote address, `-i`, `-p`, `-r`, `-m`, `-inf FILE`, `-stf FILE`; the
 * rest is ignored. As a UAC it writes the stat file's TotalCallCreated, SuccessfulCall(C) and FailedCall(C)
 * once a second, with SIPp's column names, so the benchmark counts its calls as it counts the tools'.
 */
import { createSocket, type RemoteInfo } from 'node:dgram';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
// The cheapest hash Node has, as sipts answers a challenge with it: crypto.hash where Node has it (20.12 and later).
import { hashHex } from '../src/sip/digest.js';
import { header, NO_BODY, toTagOf, uacRequester, uasAnswerer } from './sip-text.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const role = option('-sn', 'uac');
const localIp = option('-i', '127.0.0.1');
const localPort = Number(option('-p', '0'));
const statFile = option('-stf', '');
const injection = option('-inf', '');
const remote = args.find((a, i) => i > 0 && /^[\d.]+:\d+$/.test(a) && args[i - 1] !== '-i');

const socket = createSocket('udp4');

function uas(): void {
  const answer = uasAnswerer(`${localIp}:${socket.address().port}`, NO_BODY);
  const out: string[] = [];
  socket.on('message', (b: Buffer, from: RemoteInfo) => {
    answer(b.toString('latin1'), out);
    for (const m of out) socket.send(m, from.port, from.address);
    out.length = 0;
  });
}

/**
 * Places `total` attempts at `rate` a second (one `start(n)` each, n from 1), writes the stat file's rows once
 * a second, and closes the socket when every attempt has succeeded or 5 s after the last was placed (those
 * still open count as failed). Returns the function that counts one success.
 */
function pace(start: (n: number) => void): () => void {
  const rate = Number(option('-r', '10')),
    total = Number(option('-m', '0')) || Number.POSITIVE_INFINITY;
  let created = 0,
    successful = 0,
    failed = 0;
  const row = (): void => {
    const now = Date.now() / 1000;
    appendFileSync(statFile, `${new Date().toISOString()}\t${now.toFixed(3)};${created};${successful};${failed}\n`);
  };
  const done = (): void => {
    clearInterval(placer);
    failed = created - successful;
    if (rows !== undefined) {
      row();
      clearInterval(rows);
    }
    socket.close();
  };
  if (statFile !== '') writeFileSync(statFile, 'CurrentTime;TotalCallCreated;SuccessfulCall(C);FailedCall(C)\n');
  // Without -stf no interval is left running to keep the process alive after the last call.
  const rows = statFile === '' ? undefined : setInterval(row, 1000);
  const t0 = performance.now();
  // Calls start every millisecond as their time comes, as sipts paces them.
  const placer = setInterval(() => {
    const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000));
    while (created < due) start(++created);
    if (created >= total && performance.now() - t0 > (total / rate) * 1000 + 5000) done();
  }, 1);
  return () => {
    if (++successful === total) done();
  };
}

function remoteOf(target: string): { host: string; port: number } {
  const colon = target.lastIndexOf(':');
  return { host: target.slice(0, colon), port: Number(target.slice(colon + 1)) };
}

function uac(target: string): void {
  const { host, port } = remoteOf(target);
  const request = uacRequester(`${localIp}:${socket.address().port}`, target);
  const succeeded = pace((n) => socket.send(request('INVITE', n, 1, '', NO_BODY), port, host));
  socket.on('message', (b: Buffer) => {
    const msg = b.toString('latin1');
    // Only final 2xx answers move a call on: the 200 of the INVITE (CSeq 1) and of the BYE (CSeq 2).
    if (msg.charCodeAt(8) !== 50) return;
    const callId = header(msg, 'Call-ID');
    const n = callId.slice(9, callId.indexOf('-', 9));
    if (header(msg, 'CSeq').startsWith('CSeq: 1 ')) {
      const toTag = toTagOf(msg);
      socket.send(request('ACK', n, 1, toTag, NO_BODY), port, host);
      socket.send(request('BYE', n, 2, toTag, NO_BODY), port, host);
    } else {
      succeeded();
    }
  });
}

/** The text between `before` and the next `end` in s, from `from` on ('' when `before` is missing). */
function between(s: string, before: string, end: string, from = 0): string {
  const at = s.indexOf(before, from);
  if (at < 0) return '';
  const start = at + before.length;
  return s.slice(start, s.indexOf(end, start));
}

/**
 * The registration workload: users from the injection file (`user;[authentication username=… password=…];`
 * lines after the SEQUENTIAL/RANDOM/USER line, taken in order), read once before the first REGISTER.
 */
function register(target: string): void {
  const { host, port } = remoteOf(target);
  const me = `${localIp}:${socket.address().port}`;
  const users = readFileSync(injection, 'latin1')
    .split('\n')
    .slice(1)
    .filter((l) => l.includes(';'))
    .map((l) => ({ aor: l.slice(0, l.indexOf(';')), user: between(l, 'username=', ' '), password: between(l, 'password=', ']') }));
  const uri = `sip:${host}`;
  const request = (n: number, cseq: number, authorization: string): string => {
    const aor = users[(n - 1) % users.length]?.aor ?? '';
    return `REGISTER ${uri} SIP/2.0\r\nVia: SIP/2.0/UDP ${me};branch=z9hG4bK-${n}-${cseq}\r\nFrom: <sip:${aor}@${host}>;tag=${n}\r\nTo: <sip:${aor}@${host}>\r\nCall-ID: ${n}-floor@${localIp}\r\nCSeq: ${cseq} REGISTER\r\nContact: <sip:${aor}@${me}>\r\n${authorization}Max-Forwards: 70\r\nExpires: 3600\r\nContent-Length: 0\r\n\r\n`;
  };
  // RFC 7616 §3.4.3: HA2 = H(method:uri), the same for every registration (sipts keeps it too).
  const ha2 = { MD5: hashHex('md5', `REGISTER:${uri}`), 'SHA-256': hashHex('sha256', `REGISTER:${uri}`) };
  const succeeded = pace((n) => socket.send(request(n, 1, ''), port, host));
  socket.on('message', (b: Buffer) => {
    const msg = b.toString('latin1');
    const callId = header(msg, 'Call-ID');
    const n = Number(callId.slice(9, callId.indexOf('-', 9)));
    if (msg.startsWith('401', 8)) {
      const u = users[(n - 1) % users.length];
      if (u === undefined) return;
      // The challenge's parameters by string search (RFC 7616 §3.3); quoted values end at the next quote.
      const at = msg.indexOf('\nWWW-Authenticate: ');
      const realm = between(msg, 'realm="', '"', at),
        nonce = between(msg, 'nonce="', '"', at),
        opaque = between(msg, 'opaque="', '"', at);
      const algorithm = msg.includes('algorithm=SHA-256', at) ? 'SHA-256' : 'MD5';
      const h = (s: string): string => hashHex(algorithm === 'MD5' ? 'md5' : 'sha256', s);
      // RFC 7616 §3.4.1 with qop=auth: one request per nonce, so nc is 1; a cnonce unique per registration
      // is enough for the floor (it need not be unpredictable here).
      const cnonce = n.toString(16);
      const response = h(`${h(`${u.user}:${realm}:${u.password}`)}:${nonce}:00000001:${cnonce}:auth:${ha2[algorithm]}`);
      const authorization = `Authorization: Digest username="${u.user}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=${algorithm}, cnonce="${cnonce}", qop=auth, nc=00000001${opaque === '' ? '' : `, opaque="${opaque}"`}\r\n`;
      socket.send(request(n, 2, authorization), port, host);
    } else if (msg.startsWith('200', 8) && header(msg, 'CSeq').startsWith('CSeq: 2 ')) {
      succeeded();
    }
  });
}

socket.bind(localPort, localIp, () => {
  if (role === 'uas') uas();
  else if (remote !== undefined && injection !== '') register(remote);
  else if (remote !== undefined) uac(remote);
  else throw new Error('floor-peer: a UAC needs HOST:PORT');
});
