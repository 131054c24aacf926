/**
 * SIP over WebSocket (RFC 7118) on a TCP or TLS connection: the opening handshake of RFC 6455 §4 with the
 * subprotocol "sip", then one SIP message per WebSocket message (RFC 7118 §5.1), sent as a text frame.
 * Written here rather than taken from a package: the codec is the whole of it (a handshake and frames),
 * and it must sit in the same Connection as TCP framing, writing nothing per message but the frame.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { WireCodec } from './connection.js';

/** RFC 6455 §1.3. */
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const MAX_HANDSHAKE_BYTES = 16_384;
/** A SIP message far larger than any a test sends: a peer claiming more is not speaking SIP. */
const MAX_MESSAGE_BYTES = 1 << 20;

const Op = { Continuation: 0, Text: 1, Binary: 2, Close: 8, Ping: 9, Pong: 10 } as const;
type Op = (typeof Op)[keyof typeof Op];

export const acceptKey = (key: string): string =>
  createHash('sha1')
    .update(key + GUID)
    .digest('base64');

/** Masking keys (§5.3) come from a pool of random bytes refilled in blocks, not a crypto call per frame. */
let maskPool = randomBytes(4096);
let maskAt = 0;
function nextMask(): Buffer {
  if (maskAt + 4 > maskPool.length) {
    maskPool = randomBytes(4096);
    maskAt = 0;
  }
  const m = maskPool.subarray(maskAt, maskAt + 4);
  maskAt += 4;
  return m;
}

/** The header of a frame of `length` bytes, with `maskBytes` (4, client to server) for the mask key. */
function frameHeader(op: Op, length: number, masked: boolean): Buffer {
  const extra = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const h = Buffer.allocUnsafe(2 + extra + (masked ? 4 : 0));
  h[0] = 0x80 | op;
  const maskBit = masked ? 0x80 : 0;
  if (extra === 0) h[1] = maskBit | length;
  else if (extra === 2) {
    h[1] = maskBit | 126;
    h.writeUInt16BE(length, 2);
  } else {
    h[1] = maskBit | 127;
    h.writeBigUInt64BE(BigInt(length), 2);
  }
  return h;
}

function frame(op: Op, payload: Buffer, masked: boolean): Buffer {
  const h = frameHeader(op, payload.length, masked);
  const out = Buffer.allocUnsafe(h.length + payload.length);
  h.copy(out, 0);
  if (!masked) {
    payload.copy(out, h.length);
    return out;
  }
  const mask = nextMask();
  const at = h.length - 4;
  mask.copy(out, at);
  for (let i = 0; i < payload.length; i++) out[h.length + i] = (payload[i] ?? 0) ^ (mask[i & 3] ?? 0);
  return out;
}

export class WebSocketCodec implements WireCodec {
  open = false;
  private pending: Buffer = Buffer.alloc(0);
  private readonly key: string;
  /** Fragments of a message not yet whole (§5.4). */
  private fragments: Buffer[] = [];
  private fragmentBytes = 0;

  constructor(
    private readonly side: 'client' | 'server',
    private readonly host: string,
    private readonly port: number,
  ) {
    this.key = side === 'client' ? randomBytes(16).toString('base64') : '';
  }

  greeting(): Buffer | undefined {
    if (this.side !== 'client') return undefined;
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return Buffer.from(
      `GET / HTTP/1.1\r\nHost: ${host}:${this.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${this.key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sip\r\n\r\n`,
      'latin1',
    );
  }

  encode(message: string): Buffer {
    // §5.1: a client masks every frame it sends, a server none.
    return frame(Op.Text, Buffer.from(message, 'latin1'), this.side === 'client');
  }

  feed(chunk: Buffer, emit: (message: string) => void, reply: (bytes: Buffer) => void, opened: () => void): string | undefined {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    if (!this.open) {
      const end = this.pending.indexOf('\r\n\r\n');
      if (end < 0) return this.pending.length > MAX_HANDSHAKE_BYTES ? 'no end of the WebSocket handshake' : undefined;
      const head = this.pending.toString('latin1', 0, end);
      this.pending = this.pending.subarray(end + 4);
      const problem = this.side === 'server' ? this.answer(head, reply) : this.check(head);
      if (problem !== undefined) return problem;
      this.open = true;
      opened();
    }
    return this.frames(emit, reply);
  }

  /** Server side of §4.2: a GET with Upgrade, a key and version 13 is answered 101 with subprotocol sip. */
  private answer(head: string, reply: (bytes: Buffer) => void): string | undefined {
    const key = header(head, 'sec-websocket-key');
    if (!/^GET /.test(head) || !/websocket/i.test(header(head, 'upgrade') ?? '') || key === undefined) {
      reply(Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n', 'latin1'));
      return 'not a WebSocket upgrade request';
    }
    const offered = (header(head, 'sec-websocket-protocol') ?? '').split(',').map((p) => p.trim().toLowerCase());
    reply(
      Buffer.from(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n` +
          `${offered.includes('sip') ? 'Sec-WebSocket-Protocol: sip\r\n' : ''}\r\n`,
        'latin1',
      ),
    );
    return undefined;
  }

  /** Client side of §4.1: the answer must be 101 with the accept value of our key. */
  private check(head: string): string | undefined {
    if (!/^HTTP\/1\.1 101/.test(head)) return `WebSocket upgrade refused: ${head.split('\r\n')[0] ?? ''}`;
    if (header(head, 'sec-websocket-accept') !== acceptKey(this.key)) return 'WebSocket upgrade answered with a wrong Sec-WebSocket-Accept';
    return undefined;
  }

  private frames(emit: (message: string) => void, reply: (bytes: Buffer) => void): string | undefined {
    let b = this.pending;
    for (;;) {
      if (b.length < 2) break;
      const b0 = b[0] ?? 0;
      const b1 = b[1] ?? 0;
      // A number, not an Op: a peer may send any of the 16 opcodes (RFC 6455 §5.2), and the unknown ones are refused below.
      const op = b0 & 0x0f;
      const masked = (b1 & 0x80) !== 0;
      let length = b1 & 0x7f;
      let at = 2;
      if (length === 126) {
        if (b.length < 4) break;
        length = b.readUInt16BE(2);
        at = 4;
      } else if (length === 127) {
        if (b.length < 10) break;
        const big = b.readBigUInt64BE(2);
        if (big > BigInt(MAX_MESSAGE_BYTES)) return `a WebSocket frame of ${big} bytes`;
        length = Number(big);
        at = 10;
      }
      const maskAtByte = at;
      if (masked) at += 4;
      if (b.length < at + length) break;
      const payload = Buffer.from(b.subarray(at, at + length));
      if (masked) for (let i = 0; i < length; i++) payload[i] = (payload[i] ?? 0) ^ (b[maskAtByte + (i & 3)] ?? 0);
      b = b.subarray(at + length);
      const fin = (b0 & 0x80) !== 0;
      if (op === Op.Ping) {
        reply(frame(Op.Pong, payload, this.side === 'client'));
        continue;
      }
      if (op === Op.Pong) continue;
      if (op === Op.Close) {
        reply(frame(Op.Close, payload.subarray(0, 2), this.side === 'client'));
        this.pending = Buffer.alloc(0);
        return '';
      }
      if (op !== Op.Text && op !== Op.Binary && op !== Op.Continuation) return `WebSocket opcode ${op}`;
      this.fragments.push(payload);
      this.fragmentBytes += length;
      if (this.fragmentBytes > MAX_MESSAGE_BYTES) return 'a WebSocket message over 1 MiB';
      if (!fin) continue;
      const whole = this.fragments.length === 1 ? payload : Buffer.concat(this.fragments);
      this.fragments = [];
      this.fragmentBytes = 0;
      emit(whole.toString('latin1'));
    }
    this.pending = b;
    return undefined;
  }
}

function header(head: string, name: string): string | undefined {
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) return line.slice(colon + 1).trim();
  }
  return undefined;
}
