/**
 * Every command-line option, once: SIPp name, value kind, unit, default and help. This table drives
 * commander, --help and the mapping to RunConfig; SIPp option names appear nowhere else.
 */

import type { OptionSpec } from './option-spec.js';
import { ADDRESS_OPTIONS } from './options-addresses.js';
import { DISPLAY_OPTIONS } from './options-display.js';
import { LOAD_OPTIONS } from './options-load.js';
import { OTHER_OPTIONS } from './options-other.js';
import { SCENARIO_OPTIONS } from './options-scenario.js';

export type { OptionKind, OptionSpec } from './option-spec.js';

/** The table, in the order --help and the README list it; each part is a file of its own, by concept. */
export const OPTIONS = [
  ...ADDRESS_OPTIONS,
  ...LOAD_OPTIONS,
  ...SCENARIO_OPTIONS,
  ...DISPLAY_OPTIONS,
  ...OTHER_OPTIONS,
] as const satisfies readonly OptionSpec[];

export type OptionName = (typeof OPTIONS)[number]['name'];

export const OPTION_NAMES: ReadonlySet<string> = new Set(OPTIONS.map((o) => o.name));
