/**
 * The attributes SIPp 3.6.1 reads on each element (src/scenario.cpp asks an element for these by name and
 * never looks at any other). An attribute sipts does not take is ignored with a warning when SIPp ignores it
 * too, and refused when SIPp reads it: running on without it would not be what SIPp does.
 */
const STEP = [
  'rtd',
  'repeat_rtd',
  'start_rtd',
  'counter',
  'lost',
  'crlf',
  'ignoresdp',
  'hiderest',
  'hide',
  'display',
  'condexec',
  'condexec_inverse',
  'next',
  'test',
  'chance',
  'ontimeout',
];
const DISTRIBUTION = [
  'distribution',
  'milliseconds',
  'value',
  'min',
  'max',
  'mean',
  'stdev',
  'lambda',
  'k',
  'x_m',
  'theta',
  'n',
  'p',
  'location',
  'scale',
  'shape',
];
const CHECK = ['check_it', 'check_it_inverse', 'assign_to', 'variable', 'value', 'variable2'];
const RHS = ['assign_to', 'value', 'variable'];

const READS: Readonly<Record<string, readonly string[]>> = {
  send: [...STEP, 'start_txn', 'ack_txn', 'response_txn', 'retrans', 'timeout'],
  recv: [...STEP, 'response', 'response_txn', 'request', 'optional', 'advance_state', 'regexp_match', 'timeout', 'rrs', 'auth'],
  pause: [...STEP, ...DISTRIBUTION, 'variable', 'sanity_check'],
  timewait: [...STEP, ...DISTRIBUTION, 'variable', 'sanity_check'],
  nop: STEP,
  recvCmd: [...STEP, 'optional', 'src'],
  sendCmd: [...STEP, 'dest'],
  label: ['id'],
  DefaultMessage: ['id'],
  Global: ['variables'],
  User: ['variables'],
  Reference: ['variables'],
  ResponseTimeRepartition: ['value'],
  CallLengthRepartition: ['value'],
  ereg: [
    'regexp',
    'case_indep',
    'start_line',
    'search_in',
    'variable',
    'header',
    'occurrence',
    'occurence',
    'check_it',
    'check_it_inverse',
    'assign_to',
  ],
  log: ['message'],
  warning: ['message'],
  error: ['message'],
  assign: RHS,
  add: RHS,
  subtract: RHS,
  multiply: RHS,
  divide: RHS,
  jump: ['value', 'variable'],
  pauserestore: ['value', 'variable'],
  rtp_echo: ['value', 'variable'],
  assignstr: ['assign_to', 'value'],
  gettimeofday: ['assign_to'],
  index: ['assign_to'],
  trim: ['assign_to'],
  sample: ['assign_to', ...DISTRIBUTION],
  todouble: ['assign_to', 'variable'],
  test: [...CHECK, 'compare'],
  strcmp: CHECK,
  verifyauth: ['assign_to', 'username', 'password'],
  lookup: ['assign_to', 'file', 'key'],
  insert: ['file', 'value'],
  replace: ['file', 'line', 'value'],
  setdest: ['host', 'port', 'protocol'],
  exec: ['command', 'int_cmd', 'play_pcap_audio', 'play_pcap_image', 'play_pcap_video', 'play_dtmf', 'rtp_stream'],
};

/** True when SIPp 3.6.1 reads attribute `name` on element `element`. */
export function sippReads(element: string, name: string): boolean {
  return READS[element]?.includes(name) ?? false;
}
