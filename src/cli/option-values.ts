/**
 * SIPp's option values, parsed: times with units, booleans, -tdmmap, -default_behaviors, and the local address
 * SIPp would pick. Each returns undefined (or pushes a problem) on a bad value; config.ts collects them.
 */
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { ALL_BEHAVIORS, type Behaviors } from '../engine/host.js';
import { parseTdmMap, type TdmMap } from '../load/tdm.js';

/** A time value: a number in the option's unit, or with ms/s/m/h (SIPp compat). */
export function parseTime(value: string, unit: 'ms' | 's'): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (m === null) return undefined;
  const n = Number(m[1]);
  const u = m[2] ?? unit;
  return n * (u === 'ms' ? 1 : u === 's' ? 1000 : u === 'm' ? 60_000 : 3_600_000);
}

/** SIPp compat (get_bool): true, false in any case, or a number, 0 being false. */
export function parseBool(v: string): boolean | undefined {
  const t = v.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  return /^[-+]?(0x[0-9a-f]+|\d+)$/.test(t) ? Number(t.replace(/^\+/, '')) !== 0 : undefined;
}

export function tdmOption(v: string | undefined, problems: string[]): TdmMap | undefined {
  if (v === undefined) return undefined;
  const map = parseTdmMap(v);
  if (map === undefined) problems.push(`-tdmmap ${v}: expected {x-range}{h}{y-range}{z-range}, e.g. {0-3}{99}{5-8}{1-31}`);
  return map;
}

/** SIPp compat: a comma list applied in order: all, none, a behaviour to turn on, -behaviour to turn off. */
export function parseBehaviors(list: string, problems: string[]): Behaviors {
  const b: Record<keyof Behaviors, boolean> = { bye: false, abortunexp: false, pingreply: false };
  for (const raw of list
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')) {
    const off = raw.startsWith('-');
    const name = off ? raw.slice(1) : raw;
    if (name === 'all' || name === 'none') {
      for (const k of Object.keys(b) as (keyof Behaviors)[]) b[k] = name === 'all' ? !off : off;
    } else if (name in ALL_BEHAVIORS) b[name as keyof Behaviors] = !off;
    else
      problems.push(
        `-default_behaviors ${list}: "${name}" is not a behaviour; expected all, none, bye, abortunexp or pingreply, each optionally with - before it`,
      );
  }
  return b;
}

/** SIPp picks the host's address; toward a loopback peer, loopback is the address that works. */
export function defaultLocalIp(remoteHost: string | undefined): string {
  if (remoteHost === undefined || remoteHost === 'localhost' || remoteHost.startsWith('127.')) return '127.0.0.1';
  if (remoteHost === '::1') return '::1';
  const wantV6 = isIP(remoteHost) === 6;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && (a.family === 'IPv6') === wantV6) return a.address;
  }
  return wantV6 ? '::1' : '127.0.0.1';
}
