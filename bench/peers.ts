/** The answering side of a macro benchmark: SIPp's uas when installed, else sipts's. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { BIN as SIPTS, freePort } from '../test/helpers.js';

export { SIPTS };

export const sippInstalled = (): boolean => spawnSync('sipp', ['-v'], { stdio: 'ignore' }).error === undefined;

export interface Peer {
  readonly port: number;
  readonly name: string;
  stop(): void;
}

/** Starts an answering peer on a free port and waits until it is bound. */
export async function startUas(tool: 'sipp' | 'sipts', cwd: string): Promise<Peer> {
  const port = await freePort();
  const child: ChildProcess = tool === 'sipp'
    ? spawn('sipp', ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(port), '-nostdin'], { cwd, stdio: 'ignore' })
    : spawn(process.execPath, [SIPTS, '-sn', 'uas', '-i', '127.0.0.1', '-p', String(port), '-nostdin', '-cp', '0'], { cwd, stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const s = dgram.createSocket('udp4');
    const taken = await new Promise<boolean>((r) => { s.once('error', () => r(true)); s.bind(port, '127.0.0.1', () => r(false)); });
    s.close();
    if (taken) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port, name: `${tool} -sn uas`,
    stop: () => { child.kill('SIGKILL'); },
  };
}
