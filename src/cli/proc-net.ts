/**
 * Linux's UDP receive-drop counters, for the saturation watch. The kernel counts, per socket, the datagrams it
 * threw away because the socket's receive buffer was full (the `drops` column of /proc/net/udp and
 * /proc/net/udp6), and, for the whole system, `Udp: RcvbufErrors` in /proc/net/snmp. The run's own sockets
 * are told apart by inode: a socket this process holds open (/proc/self/fd → socket:[inode]) bound to the
 * run's port. Reading is behind ProcFiles so tests can give the text.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { DropScope } from '../stats/saturation.js';

export interface ProcFiles {
  /** A file's text; undefined when it cannot be read (not Linux, no /proc). */
  read(path: string): string | undefined;
  /** The inodes of the sockets this process holds open. */
  socketInodes(): ReadonlySet<string>;
}

export const REAL_PROC: ProcFiles = {
  read: (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  socketInodes: () => {
    const inodes = new Set<string>();
    try {
      for (const fd of readdirSync('/proc/self/fd')) {
        try {
          const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
          if (m?.[1] !== undefined) inodes.add(m[1]);
        } catch {
          /* closed meanwhile */
        }
      }
    } catch {
      /* no /proc */
    }
    return inodes;
  },
};

export interface UdpSocketRow {
  readonly localPort: number;
  readonly inode: string;
  readonly drops: number;
}

/** The rows of /proc/net/udp or udp6: `sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops`. */
export function parseProcNetUdp(text: string): UdpSocketRow[] {
  const rows: UdpSocketRow[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    const local = f[1];
    const inode = f[9];
    const drops = f[12];
    if (local === undefined || inode === undefined || drops === undefined) continue;
    const port = Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
    if (!Number.isFinite(port)) continue;
    rows.push({ localPort: port, inode, drops: Number(drops) });
  }
  return rows;
}

/** `Udp: RcvbufErrors` of /proc/net/snmp (a header line, then a line of values); undefined when absent. */
export function parseRcvbufErrors(snmp: string): number | undefined {
  const udp = snmp.split('\n').filter((l) => l.startsWith('Udp:'));
  const names = udp[0]?.split(/\s+/) ?? [];
  const values = udp[1]?.split(/\s+/) ?? [];
  const i = names.indexOf('RcvbufErrors');
  const v = i < 0 ? undefined : values[i];
  return v === undefined ? undefined : Number(v);
}

export interface DropCounter {
  readonly scope: DropScope;
  /** Datagrams dropped since the counter was made. */
  read(): number | undefined;
}

const UDP_TABLES = ['/proc/net/udp', '/proc/net/udp6'];

/**
 * The drops of this process's UDP sockets bound to `ports`, found once now (the sockets exist); when there are
 * none to be found (no /proc, or sockets sipts does not know in advance: -t un), the system-wide count, from
 * now on; without /proc/net/snmp either, none.
 */
export function dropCounter(ports: readonly number[], proc: ProcFiles = REAL_PROC): DropCounter {
  const rowsNow = (): UdpSocketRow[] => UDP_TABLES.flatMap((p) => parseProcNetUdp(proc.read(p) ?? ''));
  const mine = proc.socketInodes();
  const inodes = new Set(
    rowsNow()
      .filter((r) => ports.includes(r.localPort) && mine.has(r.inode))
      .map((r) => r.inode),
  );
  if (inodes.size > 0) {
    return {
      scope: 'sockets',
      read: () => rowsNow().reduce((sum, r) => (inodes.has(r.inode) ? sum + r.drops : sum), 0),
    };
  }
  const system = (): number | undefined => {
    const t = proc.read('/proc/net/snmp');
    return t === undefined ? undefined : parseRcvbufErrors(t);
  };
  const base = system();
  if (base === undefined) return { scope: 'unavailable', read: () => undefined };
  return {
    scope: 'system',
    read: () => {
      const v = system();
      return v === undefined ? undefined : Math.max(0, v - base);
    },
  };
}

/** Linux's USER_HZ: /proc counts CPU time in hundredths of a second on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** utime + stime (ms) of /proc/<pid>/task/<tid>/stat: fields 14 and 15, counted after the `(comm)` that may hold spaces. */
export function parseThreadCpuMs(stat: string): number | undefined {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state): utime is field 14, stime 15.
  const user = Number(f[11]);
  const system = Number(f[12]);
  return Number.isFinite(user) && Number.isFinite(system) && f.length > 12 ? ((user + system) * 1000) / TICKS_PER_SECOND : undefined;
}
