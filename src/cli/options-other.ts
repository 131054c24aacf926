/** The rest: plugins, background, version, the demo, the side scenarios (-oocsf, -rxsf), 3PCC, and late additions to the scenario and timer groups. A part of the option table (options.ts), in its order. */
import type { OptionSpec } from './option-spec.js';

export const OTHER_OPTIONS = [
  {
    name: 'plugin',
    kind: 'string',
    arg: 'file',
    group: 'Other',
    help: 'Load a SIPp plugin.',
    refused: 'SIPp plugins are native shared libraries loaded with dlopen into SIPp; sipts has no plugin ABI',
  },
  {
    name: 'sendbuffer_warn',
    kind: 'bool',
    arg: 'bool',
    default: 'false',
    group: 'Other',
    help: 'SIPp: a failed send of a message outside the scenario (an automatic answer or BYE) is a warning, not an error.',
    ignored:
      'sipts never stops on a send error: it counts SendErrors and writes it to the -trace_err file (SIPp 3.6.1 has this option backwards: with it, such a failure is fatal)',
  },
  { name: 'bg', kind: 'flag', group: 'Other', help: 'Run in the background: print the PID and return.' },
  { name: 'v', kind: 'flag', group: 'Other', help: 'Print the version and exit.' },
  { name: 'demo', kind: 'flag', group: 'Other', help: 'sipts only: a short loopback run, sipts UAC against an in-process sipts UAS.' },
  {
    name: 'pause_msg_ign',
    kind: 'flag',
    group: 'Scenario',
    help: 'Ignore the messages a call receives while it is in a <pause> (not counted, not answered).',
  },
  {
    name: 'oocsf',
    kind: 'string',
    arg: 'file',
    group: 'Scenario',
    help: 'Out-of-call scenario: a run that places calls gives it every request of an unknown Call-ID (without it, such a request is counted and dropped).',
  },
  {
    name: 'rxsf',
    kind: 'string',
    arg: 'file',
    group: 'Scenario',
    help: "SIPp 3.7's mixed mode: a server scenario run beside the -sf/-sn client scenario; a request of an unknown Call-ID that it starts with starts one of its calls.",
  },
  { name: 'rxsn', kind: 'string', arg: 'name', group: 'Scenario', help: 'The same with a built-in server scenario (uas, branchs).' },
  {
    name: 'rxinf',
    kind: 'list',
    arg: 'file',
    group: 'Scenario',
    help: 'Injection file of the -rxsf/-rxsn scenario ([fieldN] there). Repeatable.',
  },
  {
    name: 'oocsn',
    kind: 'string',
    arg: 'name',
    group: 'Scenario',
    help: 'A built-in out-of-call scenario: ooc_default (answers 200 OK) or ooc_dummy (all unexpected: with -aa, INFO, NOTIFY, OPTIONS and UPDATE are answered).',
  },
  // 3PCC (SIPp's twin instances): kept together at the end of the table.
  {
    name: '3pcc',
    kind: 'string',
    arg: 'ip:port',
    group: 'Scenario',
    help: '3PCC: the twin socket. A scenario whose first twin command is <sendCmd> connects there (start its twin first); one whose first is <recvCmd> listens there.',
  },
  {
    name: 'master',
    kind: 'string',
    arg: 'name',
    group: 'Scenario',
    help: 'Extended 3PCC: this instance is the master of that name in -slave_cfg (started last; its first twin command is <sendCmd>).',
  },
  {
    name: 'slave',
    kind: 'string',
    arg: 'name',
    group: 'Scenario',
    help: 'Extended 3PCC: this instance is the slave of that name in -slave_cfg (its first twin command is <recvCmd>).',
  },
  {
    name: 'slave_cfg',
    kind: 'string',
    arg: 'file',
    group: 'Scenario',
    help: "Extended 3PCC: the instances' addresses, one name;ip:port a line; each listens on its own and connects to those its <sendCmd dest> names.",
  },
  {
    name: 'send_timeout',
    kind: 'time',
    arg: 'time',
    unit: 'ms',
    default: '0',
    group: 'Timers',
    help: 'Default timeout of every <send> (ms; 0: none): a call whose connection stays congested that long fails (FailedTimeoutOnSend).',
  },
] as const satisfies readonly OptionSpec[];
