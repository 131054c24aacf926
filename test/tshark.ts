import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** tshark (Debian package `tshark`) decodes capture files independently of sipts: the oracle of the media tests. */
export const noTshark: string | false =
  spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0 ? false : 'tshark is not installed (Debian package tshark)';

/** SIPp's sample captures as Debian installs them (package sip-tester); read at run time, never copied. */
export const SIP_TESTER_DIR = '/usr/share/sip-tester';
export const noSipTester: string | false = existsSync(`${SIP_TESTER_DIR}/g711a.pcap`)
  ? false
  : `${SIP_TESTER_DIR}/g711a.pcap is missing (Debian package sip-tester)`;

/** One row per packet, one column per field, as `tshark -T fields` prints them. */
export function tsharkFields(file: string, fields: readonly string[], extra: readonly string[] = []): string[][] {
  const args = ['-r', file, ...extra, '-T', 'fields', '-E', 'separator=\t', ...fields.flatMap((f) => ['-e', f])];
  const out = execFileSync('tshark', args, { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 }).toString();
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
}

/** Decode UDP port `port` as RTP (and, with `eventPt`, that payload type as RFC 4733 telephone-event). */
export function asRtp(port: number, eventPt?: number): string[] {
  return ['-d', `udp.port==${port},rtp`, ...(eventPt === undefined ? [] : ['-o', `rtpevent.event_payload_type_value:${eventPt}`])];
}

/** Live captures need tshark and the right to capture (root here). */
export const noLiveCapture: string | false =
  noTshark !== false ? noTshark : process.getuid?.() === 0 ? false : 'a live capture with tshark needs root';

/**
 * Starts tshark capturing on the loopback interface what `filter` (a capture filter) lets through into `file`;
 * resolves once tshark says it captures. stop() waits for the last packets, then for tshark to write and exit.
 */
export async function captureLoopback(filter: string, file: string): Promise<{ stop: () => Promise<void>; kill: () => void }> {
  const shark = spawn('tshark', ['-i', 'lo', '-f', filter, '-w', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  const closed = new Promise<void>((resolve) => shark.on('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`tshark did not start: ${seen}`)), 20_000);
    shark.stderr.on('data', (d: Buffer) => {
      seen += d.toString();
      if (/Capturing on/.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    stop: async () => {
      // The kernel hands the last datagrams to the capture a moment after they were sent.
      await new Promise((r) => setTimeout(r, 300));
      shark.kill('SIGINT');
      await closed;
    },
    kill: () => shark.kill('SIGKILL'),
  };
}
