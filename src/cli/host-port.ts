import { isIP } from 'node:net';

/** host[:port] or [v6]:port, as SIPp takes the remote host. */
export function parseHostPort(s: string, defaultPort: number): { host: string; port: number } | undefined {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6 !== null) return { host: v6[1] ?? '', port: v6[2] === undefined ? defaultPort : Number(v6[2]) };
  if (isIP(s) === 6) return { host: s, port: defaultPort };
  const m = /^([^:\s]+)(?::(\d+))?$/.exec(s);
  if (m === null) return undefined;
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  return port > 65535 ? undefined : { host: m[1] ?? '', port };
}
