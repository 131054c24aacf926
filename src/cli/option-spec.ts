/** What one command-line option is: the shape of every row of the option table (options.ts). */

/**
 * 'pair': SIPp's two-value options (-key NAME VALUE), repeatable; 'list': a repeatable value; 'bool': SIPp's
 * boolean value (true, false, or a number: 0 is false).
 */
export type OptionKind = 'flag' | 'string' | 'int' | 'number' | 'time' | 'choice' | 'pair' | 'list' | 'bool';

export interface OptionSpec {
  /** SIPp's name, without the dash. */
  readonly name: string;
  readonly kind: OptionKind;
  readonly arg?: string;
  /** For 'time': the unit of a bare number (SIPp compat: -timeout is in seconds, most others in ms). */
  readonly unit?: 'ms' | 's';
  readonly choices?: readonly string[];
  readonly default?: string;
  readonly group: 'Scenario' | 'Addresses' | 'Call rate' | 'Timers' | 'Display' | 'Reports and verdict' | 'Other';
  readonly help: string;
  /**
   * Known, but refused when given: why (no SCTP in Node, not in this version yet …). Such an option takes its
   * value as SIPp does, so the refusal names it instead of commander's "unknown option".
   */
  readonly refused?: string;
  /** Accepted and checked, but has no effect in sipts: why. Using it prints this as a warning. */
  readonly ignored?: string;
}
