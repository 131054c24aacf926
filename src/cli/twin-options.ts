/** 3PCC's options (-3pcc, or -master/-slave with -slave_cfg), checked together by SIPp's rules, and the -slave_cfg file. */
import { readFileSync } from 'node:fs';
import { parseHostPort } from './host-port.js';
import { errnoCode } from '../thrown.js';

export interface HostPortOption {
  readonly host: string;
  readonly port: number;
}

export type TwinOptions =
  | { readonly kind: 'classic'; readonly address: HostPortOption }
  | {
      readonly kind: 'extended';
      readonly role: 'master' | 'slave';
      readonly name: string;
      /** -slave_cfg: every instance's address, by name. */
      readonly instances: ReadonlyMap<string, HostPortOption>;
      readonly cfgFile: string;
    };

/** SIPp's rules for -3pcc, -master, -slave and -slave_cfg together (sipp.cpp), and the -slave_cfg file. */
export function twinOptions(
  classic: string | undefined,
  master: string | undefined,
  slave: string | undefined,
  cfg: string | undefined,
  problems: string[],
): TwinOptions | undefined {
  if (classic !== undefined) {
    if (master !== undefined || slave !== undefined || cfg !== undefined) {
      problems.push(
        '-3pcc is not compatible with -master, -slave and -slave_cfg: use -3pcc ip:port for two twins, or -master/-slave with -slave_cfg for more',
      );
      return undefined;
    }
    const address = parseHostPort(classic, 0);
    if (address === undefined || address.port === 0) {
      problems.push(`-3pcc ${classic}: expected ip:port, e.g. -3pcc 127.0.0.1:5000`);
      return undefined;
    }
    return { kind: 'classic', address };
  }
  if (master !== undefined && slave !== undefined) {
    problems.push('-master and -slave both given: an instance is one or the other');
    return undefined;
  }
  const name = master ?? slave;
  if (name === undefined && cfg === undefined) return undefined;
  if (name === undefined || cfg === undefined) {
    problems.push(
      cfg === undefined
        ? `-${master !== undefined ? 'master' : 'slave'} ${name ?? ''}: extended 3PCC needs -slave_cfg FILE, the instances' addresses (name;ip:port a line)`
        : `-slave_cfg ${cfg}: give this instance's name with -master NAME or -slave NAME`,
    );
    return undefined;
  }
  let text: string;
  try {
    text = readFileSync(cfg, 'latin1');
  } catch (e) {
    problems.push(`-slave_cfg ${cfg}: cannot read the file (${errnoCode(e) ?? 'error'})`);
    return undefined;
  }
  const instances = new Map<string, HostPortOption>();
  text.split('\n').forEach((line, i) => {
    // SIPp compat: a line without ';' is skipped (scenario.cpp parse_slave_cfg).
    const [peer, addr] = line.split(';').map((t) => t.trim());
    if (peer === undefined || peer === '' || addr === undefined || addr === '') return;
    const at = parseHostPort(addr, 0);
    if (at === undefined || at.port === 0) problems.push(`${cfg}:${i + 1}: "${addr}" is not ip:port (each line is name;ip:port)`);
    else instances.set(peer, at);
  });
  if (!instances.has(name)) {
    problems.push(
      `-${master !== undefined ? 'master' : 'slave'} ${name}: no line "${name};ip:port" in -slave_cfg ${cfg} (it names ${[...instances.keys()].join(', ') || 'no instance'})`,
    );
    return undefined;
  }
  return { kind: 'extended', role: master !== undefined ? 'master' : 'slave', name, instances, cfgFile: cfg };
}
