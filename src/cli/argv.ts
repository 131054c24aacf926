/**
 * SIPp compat: SIPp's options are single-dash words (-sn, -max_retrans). Commander reads `-sn` as
 * `-s -n`, so known option words are rewritten to long options before commander sees them.
 */
import { OPTION_NAMES, OPTIONS } from './options.js';

const PAIR_NAMES: ReadonlySet<string> = new Set(OPTIONS.filter((o) => o.kind === 'pair').map((o) => o.name));

export function rewriteArgv(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const name = a.replace(/^--?/, '');
    if (a === '-h' || a === '-help' || a === '--help') out.push('--help');
    else if (a.startsWith('-') && PAIR_NAMES.has(name)) {
      // -key NAME VALUE: commander takes one value, so the pair travels as NAME=VALUE.
      const k = args[i + 1];
      const v = args[i + 2];
      if (k === undefined || v === undefined) {
        out.push(`--${name}`);
        break;
      }
      out.push(`--${name}`, `${k}=${v}`);
      i += 2;
    } else if (a.startsWith('-') && !a.startsWith('--') && OPTION_NAMES.has(name)) out.push(`-${a}`);
    else out.push(a);
  }
  return out;
}

/** The spelling a user typed, for error messages: `--sn` back to `-sn`. */
export function userSpelling(option: string): string {
  return option.startsWith('--') && OPTION_NAMES.has(option.slice(2)) ? option.slice(1) : option;
}
