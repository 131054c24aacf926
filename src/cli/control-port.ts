/**
 * SIPp's remote control (-cp): a UDP socket taking keys and SIPp's commands (`cset rate N`, `cset limit N`,
 * `creset stats`, `cdump tasks` …, see keys.ts) as datagrams, e.g. `echo p > /dev/udp/127.0.0.1/8888`. SIPp compat: when the port is taken, the next one is tried (60 in all).
 * Bound to loopback unless -i names an address: control from elsewhere must be asked for.
 */
import { createSocket, type Socket } from 'node:dgram';
import { applyCommand } from './commands.js';
import type { KeyTarget } from './keys.js';

const TRIES = 60;

function bind(address: string, port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const s = createSocket(address.includes(':') ? 'udp6' : 'udp4');
    s.once('error', () => {
      s.close();
      resolve(undefined);
    });
    s.bind(port, address, () => {
      s.removeAllListeners('error');
      resolve(s);
    });
  });
}

export interface ControlPort {
  readonly port: number;
  close(): void;
}

export async function openControlPort(
  address: string,
  firstPort: number,
  target: KeyTarget,
  warn: (text: string) => void,
): Promise<ControlPort | undefined> {
  for (let port = firstPort; port < Math.min(65536, firstPort + TRIES); port++) {
    const socket = await bind(address, port);
    if (socket === undefined) continue;
    socket.on('message', (buf) => {
      for (const line of applyCommand(target, buf.toString('latin1'))) warn(line);
    });
    socket.on('error', (e) => warn(`control port: ${e.message}`));
    socket.unref();
    return { port, close: () => socket.close() };
  }
  warn(`no control port: ${address} ports ${firstPort} to ${firstPort + TRIES - 1} are all taken (set one with -cp)`);
  return undefined;
}
