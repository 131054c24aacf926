/**
 * SIPp compat: SIPp's options are single-dash words (-sn, -max_retrans). Commander reads `-sn` as
 * `-s -n`, so known option words are rewritten to long options before commander sees them.
 */
import { OPTION_NAMES } from './options.js';

export function rewriteArgv(args: readonly string[]): string[] {
  return args.map((a) => {
    if (a === '-h' || a === '-help' || a === '--help') return '--help';
    if (a.startsWith('-') && !a.startsWith('--') && OPTION_NAMES.has(a.slice(1))) return `-${a}`;
    if (a.startsWith('--') && OPTION_NAMES.has(a.slice(2))) return a;
    return a;
  });
}

/** The spelling a user typed, for error messages: `--sn` back to `-sn`. */
export function userSpelling(option: string): string {
  return option.startsWith('--') && OPTION_NAMES.has(option.slice(2)) ? option.slice(1) : option;
}
