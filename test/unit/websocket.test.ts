/**
 * Issue 7: the WebSocket codec (RFC 6455 framing, RFC 7118 SIP over it): the handshake both ways, masked
 * client frames, messages split at every byte or several per read, 16-bit lengths, fragments, ping.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acceptKey, WebSocketCodec } from '../../src/transport/websocket.js';

const SIP = 'OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nCall-ID: ws-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';
const LONG = `MESSAGE sip:a@b SIP/2.0\r\nCall-ID: ws-2\r\nContent-Length: 300\r\n\r\n${'x'.repeat(300)}`;

interface Side {
  codec: WebSocketCodec;
  got: string[];
  replies: Buffer[];
  opened: number;
  problems: string[];
}

function side(codec: WebSocketCodec): Side {
  return { codec, got: [], replies: [], opened: 0, problems: [] };
}

function feed(s: Side, bytes: Buffer): void {
  const p = s.codec.feed(
    bytes,
    (m) => s.got.push(m),
    (b) => s.replies.push(b),
    () => {
      s.opened++;
    },
  );
  if (p !== undefined) s.problems.push(p);
}

/** A client and a server codec that have done the opening handshake. */
function connected(): { client: Side; server: Side } {
  const client = side(new WebSocketCodec('client', '127.0.0.1', 5080));
  const server = side(new WebSocketCodec('server', '', 0));
  const hello = client.codec.greeting();
  assert.ok(hello !== undefined);
  feed(server, hello);
  assert.equal(server.opened, 1);
  const answer = Buffer.concat(server.replies.splice(0));
  assert.match(answer.toString('latin1'), /^HTTP\/1\.1 101 Switching Protocols\r\n[^]*Sec-WebSocket-Protocol: sip\r\n/);
  feed(client, answer);
  assert.equal(client.opened, 1);
  assert.deepEqual([...client.problems, ...server.problems], []);
  return { client, server };
}

test("RFC 6455 §1.3: the accept value of the RFC's own example key", () => {
  assert.equal(acceptKey('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

test('the client asks for subprotocol sip and masks its frames; the server unmasks them', () => {
  const { client, server } = connected();
  const frame = client.codec.encode(SIP);
  assert.equal((frame[1] ?? 0) & 0x80, 0x80, 'mask bit set');
  assert.equal(frame.indexOf(Buffer.from('OPTIONS')), -1, 'the payload is masked on the wire');
  feed(server, frame);
  assert.deepEqual(server.got, [SIP]);
});

test('server frames are unmasked and reach the client whole, 16-bit lengths included', () => {
  const { client, server } = connected();
  const frame = server.codec.encode(LONG);
  assert.equal((frame[1] ?? 0) & 0x80, 0, 'no mask from a server');
  assert.equal((frame[1] ?? 0) & 0x7f, 126, '16-bit length');
  feed(client, frame);
  assert.deepEqual(client.got, [LONG]);
});

test('frames split at every byte boundary, and several in one read, give each message once', () => {
  const { client } = connected();
  const whole = Buffer.concat([client.codec.encode(SIP), client.codec.encode(LONG), client.codec.encode(SIP)]);
  for (let cut = 0; cut <= whole.length; cut++) {
    const { server } = connected();
    feed(server, whole.subarray(0, cut));
    feed(server, whole.subarray(cut));
    assert.deepEqual(server.got, [SIP, LONG, SIP], `cut at ${cut}`);
  }
});

test('the handshake and the first frame in one read: the frame is not lost', () => {
  const client = side(new WebSocketCodec('client', '127.0.0.1', 5080));
  const server = side(new WebSocketCodec('server', '', 0));
  feed(server, Buffer.concat([client.codec.greeting() ?? Buffer.alloc(0), client.codec.encode(SIP)]));
  assert.deepEqual(server.got, [SIP]);
});

test('a fragmented message (§5.4) is joined; a ping is answered with a pong carrying its payload', () => {
  const { client } = connected();
  const part = (op: number, fin: boolean, text: string): Buffer =>
    Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | op, text.length]), Buffer.from(text, 'latin1')]);
  feed(client, Buffer.concat([part(1, false, SIP.slice(0, 20)), part(9, true, 'hi'), part(0, true, SIP.slice(20))]));
  assert.deepEqual(client.got, [SIP]);
  const pong = client.replies.at(-1);
  assert.ok(pong !== undefined);
  assert.equal((pong[0] ?? 0) & 0x0f, 10);
});

test('a server refuses a request that is not a WebSocket upgrade, with 400', () => {
  const server = side(new WebSocketCodec('server', '', 0));
  feed(server, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
  assert.equal(server.problems.length, 1);
  assert.match(Buffer.concat(server.replies).toString('latin1'), /^HTTP\/1\.1 400/);
});

test('a client refuses an answer with the wrong accept value', () => {
  const client = side(new WebSocketCodec('client', '127.0.0.1', 5080));
  feed(
    client,
    Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: wrong\r\n\r\n'),
  );
  assert.match(client.problems[0] ?? '', /wrong Sec-WebSocket-Accept/);
});
