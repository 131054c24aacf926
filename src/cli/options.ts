/**
 * Every command-line option, once: SIPp name, value kind, unit, default and help. This table drives
 * commander, --help and the mapping to RunConfig; SIPp option names appear nowhere else.
 */

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

const SCTP = 'Node.js has no SCTP sockets, so sipts has no SCTP transport';

export const OPTIONS = [
  { name: 'sn', kind: 'string', arg: 'name', group: 'Scenario', help: 'Use a built-in scenario: uac, uas, regexp, branchc, branchs, ooc_default, ooc_dummy, 3pcc-C-A, 3pcc-C-B, 3pcc-A, 3pcc-B, register, options, uac_pcap.' },
  { name: 'sf', kind: 'string', arg: 'file', group: 'Scenario', help: 'Use the scenario in this XML file.' },
  { name: 'sd', kind: 'string', arg: 'name', group: 'Scenario', help: 'Print a built-in scenario\'s XML and exit.' },
  { name: 's', kind: 'string', arg: 'service', default: 'service', group: 'Scenario', help: 'The user part of the Request-URI ([service]).' },
  { name: 'i', kind: 'string', arg: 'ip', group: 'Addresses', help: 'Local IP address to bind and to put in messages ([local_ip]).' },
  { name: 'p', kind: 'int', arg: 'port', group: 'Addresses', help: 'Local port ([local_port]). Default: 5060, or any free port if 5060 is taken.' },
  { name: 't', kind: 'choice', arg: 'mode', choices: ['u1', 'un', 'ui', 't1', 'tn', 'l1', 'ln', 'ws1', 'wsn', 'wss1', 'wssn'], default: 'u1', group: 'Addresses', help: 'Transport: u = UDP, t = TCP, l = TLS, ws = SIP over WebSocket (RFC 7118), wss = over TLS; 1 = one socket or connection for all calls, n = one per call; ui = UDP from a source address per call, read from the injection file (-ip_field).' },
  { name: 'ip_field', kind: 'int', arg: 'n', default: '0', group: 'Addresses', help: 'With -t ui: the field of the (first) injection file holding each call\'s source IP address.' },
  { name: 'max_reconnect', kind: 'int', arg: 'n', default: '0', group: 'Addresses', help: 'TCP/TLS/WS: how many times the shared connection is opened again after it is lost.' },
  { name: 'reconnect_close', kind: 'choice', arg: 'bool', choices: ['true', 'false'], default: 'true', group: 'Addresses', help: 'TCP/TLS/WS: whether the calls on a lost connection fail (false: they go on over the new connection).' },
  { name: 'reconnect_sleep', kind: 'time', arg: 'time', unit: 'ms', default: '5000', group: 'Addresses', help: 'TCP/TLS/WS: after the shared connection is lost, wait this long before opening it again (ms); calls placed meanwhile wait.' },
  { name: 'max_socket', kind: 'int', arg: 'n', default: '50000', group: 'Addresses', help: 'With a connection per call (tn, ln, wsn): most connections open at once; later calls share them.' },
  { name: 'rsa', kind: 'string', arg: 'host:port', group: 'Addresses', help: 'Send every message to this address (an outbound proxy, SBC or load balancer; port 5060 by default), while the Request-URI and [remote_ip]/[remote_port] still name the remote host.' },
  { name: 'tls_cert', kind: 'string', arg: 'file', default: 'cacert.pem', group: 'Addresses', help: 'TLS: the certificate (PEM) this side presents.' },
  { name: 'tls_key', kind: 'string', arg: 'file', default: 'cakey.pem', group: 'Addresses', help: 'TLS: the private key (PEM) of -tls_cert.' },
  { name: 'tls_ca', kind: 'string', arg: 'file', group: 'Addresses', help: 'TLS: check the peer\'s certificate against these CAs (PEM); without it, any certificate is taken.' },
  { name: 'tls_version', kind: 'choice', arg: 'version', choices: ['1.0', '1.1', '1.2', '1.3'], group: 'Addresses', help: 'TLS: use only this protocol version (default: negotiated).' },
  { name: 'tls_crl', kind: 'string', arg: 'file', group: 'Addresses', help: 'TLS: refuse peer certificates this certificate revocation list (PEM) revokes (with -tls_ca).' },
  { name: 'multihome', kind: 'string', arg: 'ip', group: 'Addresses', help: 'SCTP multihome address.', refused: SCTP },
  { name: 'heartbeat', kind: 'int', arg: 'ms', group: 'Addresses', help: 'SCTP heartbeat interval.', refused: SCTP },
  { name: 'assocmaxret', kind: 'int', arg: 'n', group: 'Addresses', help: 'SCTP association max retransmit counter.', refused: SCTP },
  { name: 'pathmaxret', kind: 'int', arg: 'n', group: 'Addresses', help: 'SCTP path max retransmit counter.', refused: SCTP },
  { name: 'pmtu', kind: 'int', arg: 'bytes', group: 'Addresses', help: 'SCTP path MTU.', refused: SCTP },
  { name: 'gracefulclose', kind: 'bool', arg: 'bool', group: 'Addresses', help: 'SCTP: close associations with SHUTDOWN (true) or ABORT (false).', refused: SCTP },
  { name: 'buff_size', kind: 'int', arg: 'bytes', default: '4194304', group: 'Addresses', help: 'Send and receive buffer of each UDP socket (the system caps it at net.core.rmem_max/wmem_max). SIPp\'s default is 65535, which drops datagrams under bursts.' },
  { name: 'bind_local', kind: 'flag', group: 'Addresses', help: 'Accepted for SIPp compatibility: sipts always binds its sockets, and sends, from the -i address (all addresses without -i).' },
  { name: 'mi', kind: 'string', arg: 'ip', group: 'Addresses', help: 'Media IP address ([media_ip]). Default: the local IP.' },
  { name: 'mp', kind: 'int', arg: 'port', default: '6000', group: 'Addresses', help: 'Media port ([media_port]).' },
  { name: 'rtp_echo', kind: 'flag', group: 'Addresses', help: 'Echo every datagram received on -mp (and -mp + 2) to its sender, as SIPp does (one socket each for all calls); the echo counts what it sent back.' },
  { name: 'mb', kind: 'int', arg: 'bytes', default: '2048', group: 'Addresses', help: 'RTP echo buffer size: a longer datagram is echoed cut to it (as SIPp).' },
  { name: 'min_rtp_port', kind: 'int', arg: 'port', default: '6000', group: 'Addresses', help: 'SIPp 3.7: lowest port of the per-call media ports (RTP even, RTCP the next), for calls whose scenario has no [auto_media_port].' },
  { name: 'max_rtp_port', kind: 'int', arg: 'port', default: '65535', group: 'Addresses', help: 'SIPp 3.7: highest port of the per-call media ports.' },
  { name: 'rtp_payload', kind: 'int', arg: 'pt', default: '8', group: 'Addresses', help: 'Payload type of an rtp_stream that names none (8: PCMA, 0: PCMU).' },
  { name: 'rtp_threadtasks', kind: 'int', arg: 'n', default: '20', group: 'Addresses', help: 'SIPp: RTP playback tasks per thread.', ignored: 'sipts plays every stream of a run from one pacer on its event loop, not from a thread pool' },
  { name: 'rtp_buffsize', kind: 'int', arg: 'bytes', group: 'Addresses', help: 'Send and receive buffer of each media socket (default: the system\'s).' },
  { name: 'r', kind: 'number', arg: 'rate', default: '10', group: 'Call rate', help: 'Calls started per rate period.' },
  { name: 'rp', kind: 'time', arg: 'period', unit: 'ms', default: '1000', group: 'Call rate', help: 'Rate period (ms; or with a unit: 1s).' },
  { name: 'rate_scale', kind: 'number', arg: 'n', default: '1', group: 'Call rate', help: 'The step of the + and - keys (* and / step 10 times this).' },
  { name: 'rate_increase', kind: 'int', arg: 'n', default: '0', group: 'Call rate', help: 'Every -rate_interval, raise the rate by n (an automatic ramp).' },
  { name: 'rate_max', kind: 'int', arg: 'rate', default: '0', group: 'Call rate', help: 'With -rate_increase: the highest rate. When the next step would pass it, the rate becomes this and the run stops as after q (with -no_rate_quit, it goes on at this rate).' },
  { name: 'rate_interval', kind: 'time', arg: 'time', unit: 's', group: 'Call rate', help: 'With -rate_increase: how often the rate goes up (s; default: -fd).' },
  { name: 'no_rate_quit', kind: 'flag', group: 'Call rate', help: 'With -rate_increase and -rate_max: keep running at -rate_max instead of stopping.' },
  { name: 'l', kind: 'int', arg: 'limit', default: '0', group: 'Call rate', help: 'Maximum number of open calls (0: no limit). Starts refused by the limit are counted.' },
  { name: 'm', kind: 'int', arg: 'calls', default: '0', group: 'Call rate', help: 'Stop after this many calls (0: no end).' },
  { name: 'users', kind: 'int', arg: 'n', default: '0', group: 'Call rate', help: 'Instead of a rate, start n calls at once and keep n open: each user starts a new call when its call ends ([userid]).' },
  { name: 'workers', kind: 'string', arg: 'n/auto', group: 'Call rate', help: 'Place the calls from n worker threads, each with its own engine and local port (-p, -p+1 …; any free port without -p) and an exact share of -r, -m, -l, -users and of the injection lines (a USER file\'s user lives in one worker); the screens and reports show the run as one. auto: the cores but one. Calling scenarios only; not with 3PCC or -trace_msg, -trace_err … yet.' },
  { name: 'tdmmap', kind: 'string', arg: 'map', group: 'Call rate', help: 'A table of TDM circuits, {0-3}{99}{5-8}{1-31}: a call needs a free circuit; [tdmmap] prints it.' },
  { name: 'd', kind: 'time', arg: 'duration', unit: 'ms', default: '0', group: 'Timers', help: 'Length of a <pause> without milliseconds (the call\'s talk time).' },
  { name: 'timeout', kind: 'time', arg: 'time', unit: 's', default: '0', group: 'Timers', help: 'End the whole run after this long (s; 0: never). Open calls are aborted (SIPp lets them finish). See -timeout_error for the exit code.' },
  { name: 'timeout_error', kind: 'flag', group: 'Timers', help: 'When -timeout ends the run, it is an error: exit 255, whatever the calls did (as SIPp). Without it, a run ended by -timeout exits 1 if a call failed or was aborted, else 97 if no call succeeded, else 0.' },
  { name: 'recv_timeout', kind: 'time', arg: 'time', unit: 'ms', default: '0', group: 'Timers', help: 'Default timeout of every <recv> (ms; 0: none).' },
  { name: 'max_retrans', kind: 'int', arg: 'n', default: '9', group: 'Timers', help: 'UDP retransmissions before a call fails, for every transaction: the lower of this and -max_invite_retrans or -max_non_invite_retrans applies (as in SIPp).' },
  { name: 'max_invite_retrans', kind: 'int', arg: 'n', default: '5', group: 'Timers', help: 'UDP retransmissions of INVITE before a call fails.' },
  { name: 'max_non_invite_retrans', kind: 'int', arg: 'n', default: '9', group: 'Timers', help: 'UDP retransmissions of other messages before a call fails (9, as SIPp 3.6.1 does; its -h says 7).' },
  { name: 'nr', kind: 'flag', group: 'Timers', help: 'Disable UDP retransmissions.' },
  { name: 'rtcheck', kind: 'choice', arg: 'method', choices: ['full', 'loose'], default: 'full', group: 'Timers', help: 'How a retransmitted request is told: full (its transaction: CSeq, method and top Via branch) or loose (CSeq and method, any branch), for peers that change the branch when they retransmit.' },
  { name: 'T2', kind: 'time', arg: 'time', unit: 'ms', default: '4000', group: 'Timers', help: 'Upper bound of the doubling retransmission interval (RFC 3261 T2).' },
  { name: 'timer_resol', kind: 'time', arg: 'time', unit: 'ms', default: '10', group: 'Timers', help: 'Resolution of the timers (pauses, retransmissions, timeouts): a smaller value is more precise and costs more CPU. Calls still start as evenly as the rate asks.' },
  { name: 'deadcall_wait', kind: 'time', arg: 'time', unit: 'ms', default: '33000', group: 'Timers', help: 'How long an ended call still absorbs its late messages.' },
  { name: 'sleep', kind: 'time', arg: 'time', unit: 's', default: '0', group: 'Timers', help: 'Wait this long before starting (s, or with a unit: 500ms).' },
  { name: 'lost', kind: 'number', arg: 'percent', default: '0', group: 'Timers', help: 'Lose this percentage (0-100) of the messages every <send> sends and <recv> receives, unless the step says lost=.' },
  { name: 'max_recv_loops', kind: 'int', arg: 'n', default: '1000', group: 'Timers', help: 'SIPp: most datagrams read per event-loop turn.', ignored: 'Node.js delivers each datagram as it comes; sipts bounds its own work per turn' },
  { name: 'max_sched_loops', kind: 'int', arg: 'n', default: '1000', group: 'Timers', help: 'SIPp: most calls run per event-loop turn.', ignored: 'sipts bounds its own work per turn (at most 500 call starts; timers by the wheel)' },
  { name: 'watchdog_interval', kind: 'time', arg: 'time', unit: 'ms', default: '400', group: 'Timers', help: 'How often the watchdog timer runs (0: no watchdog). It counts a trip when it runs late, which means the event loop was stalled: trips go to the stat file (WatchdogMinor, WatchdogMajor) and the -trace_err file, and too many end the run (exit 255), as in SIPp.' },
  { name: 'watchdog_reset', kind: 'time', arg: 'time', unit: 'ms', default: '600000', group: 'Timers', help: 'After this long without a trip, the watchdog forgets its trips.' },
  { name: 'watchdog_minor_threshold', kind: 'time', arg: 'time', unit: 'ms', default: '500', group: 'Timers', help: 'The watchdog running this long after its last run is a minor trip.' },
  { name: 'watchdog_major_threshold', kind: 'time', arg: 'time', unit: 'ms', default: '3000', group: 'Timers', help: 'The watchdog running this long after its last run is a major trip.' },
  { name: 'watchdog_major_maxtriggers', kind: 'int', arg: 'n', default: '10', group: 'Timers', help: 'Major trips allowed before the run ends as overloaded.' },
  { name: 'watchdog_minor_maxtriggers', kind: 'int', arg: 'n', default: '120', group: 'Timers', help: 'Minor trips allowed before the run ends as overloaded.' },
  { name: 'skip_rlimit', kind: 'flag', group: 'Timers', help: 'SIPp: do not raise the file-descriptor limit.', ignored: 'sipts never changes the limit (Node.js cannot call setrlimit): raise it with ulimit -n' },
  { name: 'infindex', kind: 'pair', arg: 'file field', group: 'Scenario', help: 'Index the -inf file on a field for <lookup> (field counts from 0). Repeatable.' },
  { name: 'au', kind: 'string', arg: 'user', group: 'Scenario', help: 'Username of [authentication] answering 401/407 challenges. Default: the -s service.' },
  { name: 'ap', kind: 'string', arg: 'password', default: 'password', group: 'Scenario', help: 'Password of [authentication].' },
  { name: 'inf', kind: 'list', arg: 'file', group: 'Scenario', help: 'Injection file: SEQUENTIAL, RANDOM or USER, then ;-separated fields per call, read by [fieldN]. Repeatable.' },
  { name: 'key', kind: 'pair', arg: 'name value', group: 'Scenario', help: 'Keyword [name] renders value in every message. Repeatable.' },
  { name: 'set', kind: 'pair', arg: 'name value', group: 'Scenario', help: 'Global variable $name starts as value. Repeatable.' },
  { name: 'default_behaviors', kind: 'string', arg: 'list', default: 'all', group: 'Scenario', help: 'What happens to unexpected messages and aborted calls: all, none, bye, abortunexp, pingreply; -x turns x off (all,-bye).' },
  { name: 'nd', kind: 'flag', group: 'Scenario', help: 'No default behaviours: the same as -default_behaviors none.' },
  { name: 'aa', kind: 'flag', group: 'Scenario', help: 'Answer unexpected INFO, NOTIFY, OPTIONS and UPDATE with 200 OK, in a call or out of any call.' },
  { name: 'base_cseq', kind: 'int', arg: 'n', default: '1', group: 'Scenario', help: 'First CSeq number ([cseq]).' },
  { name: 'cid_str', kind: 'string', arg: 'format', default: '%u-%p@%s', group: 'Scenario', help: 'Call-ID of the calls this side places: %u the call number, %p the process id, %s the local IP, %% a %.' },
  { name: 'auth_uri', kind: 'string', arg: 'uri', group: 'Scenario', help: 'The digest uri of [authentication] is sip:uri (SIPp compat), instead of the request\'s Request-URI.' },
  { name: 'callid_slash_ign', kind: 'flag', group: 'Scenario', help: 'A Call-ID with /// in it is one Call-ID: without this, what comes before /// is a prefix that does not count when a message is matched to its call.' },
  { name: 'dynamicStart', kind: 'int', arg: 'n', default: '10000', group: 'Scenario', help: 'First value of [dynamic_id], a counter shared by all calls.' },
  { name: 'dynamicMax', kind: 'int', arg: 'n', default: '12000', group: 'Scenario', help: 'Largest value of [dynamic_id]; past it, it starts again at -dynamicStart.' },
  { name: 'dynamicStep', kind: 'int', arg: 'n', default: '4', group: 'Scenario', help: 'What [dynamic_id] grows by each time it is used.' },
  { name: 'trace_stat', kind: 'flag', group: 'Display', help: 'Write SIPp\'s stat file: <scenario>_<pid>_.csv, a row every -fd.' },
  { name: 'stf', kind: 'string', arg: 'file', group: 'Display', help: 'The stat file\'s name (with -trace_stat).' },
  { name: 'stat_delimiter', kind: 'string', arg: 'text', default: ';', group: 'Display', help: 'The field separator of the stat, counts and error codes files.' },
  { name: 'periodic_rtd', kind: 'flag', group: 'Display', help: 'The stat file\'s response-time and call-length repartition columns count each period, not the whole run.' },
  { name: 'fd', kind: 'time', arg: 'period', unit: 's', default: '60', group: 'Display', help: 'How often a stat file row is written (s).' },
  { name: 'trace_msg', kind: 'flag', group: 'Display', help: 'Write every message sent and received to <scenario>_<pid>_messages.log.' },
  { name: 'message_file', kind: 'string', arg: 'file', group: 'Display', help: 'The message trace\'s name (turns -trace_msg on).' },
  { name: 'message_overwrite', kind: 'bool', arg: 'bool', default: 'true', group: 'Display', help: 'false: append to the message trace instead of starting it afresh.' },
  { name: 'trace_shortmsg', kind: 'flag', group: 'Display', help: 'Write a line per message sent and received to <scenario>_<pid>_shortmessages.log (time, S or R, Call-ID, CSeq, first line; tab-separated).' },
  { name: 'shortmessage_file', kind: 'string', arg: 'file', group: 'Display', help: 'The short message trace\'s name (turns -trace_shortmsg on).' },
  { name: 'shortmessage_overwrite', kind: 'bool', arg: 'bool', default: 'true', group: 'Display', help: 'false: append to the short message trace.' },
  { name: 'trace_err', kind: 'flag', group: 'Display', help: 'Write unexpected, unparsable, dead-call and out-of-call messages, timeouts, and the ladders of the first failed calls of each reason, to <scenario>_<pid>_errors.log.' },
  { name: 'error_file', kind: 'string', arg: 'file', group: 'Display', help: 'The error trace\'s name (turns -trace_err on).' },
  { name: 'error_overwrite', kind: 'bool', arg: 'bool', default: 'true', group: 'Display', help: 'false: append to the error trace.' },
  { name: 'trace_error_codes', kind: 'flag', group: 'Display', help: 'Write the status codes of unexpected responses to <scenario>_<pid>_error_codes.csv, a row every -fd.' },
  { name: 'trace_calldebug', kind: 'flag', group: 'Display', help: 'Write every message of every failed or aborted call to <scenario>_<pid>_calldebug.log.' },
  { name: 'calldebug_file', kind: 'string', arg: 'file', group: 'Display', help: 'The call debug file\'s name (turns -trace_calldebug on).' },
  { name: 'calldebug_overwrite', kind: 'bool', arg: 'bool', default: 'true', group: 'Display', help: 'false: append to the call debug file.' },
  { name: 'trace_rtt', kind: 'flag', group: 'Display', help: 'Write every response time to <scenario>_<pid>_rtt.csv (Date_ms;response_time_ms;rtd_no).' },
  { name: 'rtt_freq', kind: 'int', arg: 'n', default: '200', group: 'Display', help: 'Write the rtt file every n response times.' },
  { name: 'trace_counts', kind: 'flag', group: 'Display', help: 'Write each step\'s message counts to <scenario>_<pid>_counts.csv, a row every -fd.' },
  { name: 'trace_screen', kind: 'flag', group: 'Display', help: 'Write every statistics screen to <scenario>_<pid>_screen.log at the end of the run.' },
  { name: 'screen_file', kind: 'string', arg: 'file', group: 'Display', help: 'The screen file\'s name (turns -trace_screen on).' },
  { name: 'screen_overwrite', kind: 'bool', arg: 'bool', default: 'true', group: 'Display', help: 'false: append to the screen file.' },
  { name: 'trace_logs', kind: 'flag', group: 'Display', help: 'Write the scenario\'s <log> actions to <scenario>_<pid>_logs.log.' },
  { name: 'log_file', kind: 'string', arg: 'file', group: 'Display', help: 'The <log> file\'s name (turns -trace_logs on).' },
  { name: 'log_overwrite', kind: 'bool', arg: 'bool', default: 'true', group: 'Display', help: 'false: append to the <log> file.' },
  { name: 'ringbuffer_files', kind: 'int', arg: 'n', default: '0', group: 'Display', help: 'With -ringbuffer_size: how many rotated files of each trace (error, message, short message, call debug, <log>) are kept; 0: the file starts afresh.' },
  { name: 'ringbuffer_size', kind: 'int', arg: 'bytes', default: '0', group: 'Display', help: 'Rotate the error, message, short message, call debug and <log> files when they grow past this: <scenario>_<pid>_<name>_<start time>.log.' },
  { name: 'max_log_size', kind: 'int', arg: 'bytes', default: '0', group: 'Display', help: 'Stop writing the error, message, short message, call debug and <log> files when they grow past this.' },
  { name: 'ci', kind: 'string', arg: 'ip', group: 'Display', help: 'Address the control port listens on (default: 127.0.0.1, or -i when given).' },
  { name: 'cp', kind: 'int', arg: 'port', default: '8888', group: 'Display', help: 'UDP control port on 127.0.0.1 (or -i): SIPp\'s keys and commands (cset rate N, cset limit N, ctrace messages on, creset stats …) as datagrams. Taken: the next of 60 ports; 0: none.' },
  { name: 'json', kind: 'string', arg: 'file', group: 'Reports and verdict', help: 'sipts only: write the run as JSON (counts, failure reasons, percentiles, steps, parameters).' },
  { name: 'junit', kind: 'string', arg: 'file', group: 'Reports and verdict', help: 'sipts only: write JUnit XML: a test case per step, failure reason and threshold.' },
  { name: 'html', kind: 'string', arg: 'file', group: 'Reports and verdict', help: 'sipts only: write a self-contained HTML report: plots of call rate, failures and response-time percentiles over time, and failed-call ladders.' },
  { name: 'prometheus', kind: 'string', arg: 'host:port', group: 'Reports and verdict', help: 'sipts only: serve Prometheus metrics on http://host:port/metrics during the run (e.g. 127.0.0.1:9464).' },
  { name: 'max-failed', kind: 'int', arg: 'n', group: 'Reports and verdict', help: 'sipts only: pass only if at most n calls failed or were aborted. Any threshold sets the exit code: 0 pass, 2 fail.' },
  { name: 'max-rtd-p99', kind: 'time', arg: 'time', unit: 'ms', group: 'Reports and verdict', help: 'sipts only: pass only if every response time\'s p99 is at most this (ms, or 1s …).' },
  { name: 'max-rtp-loss', kind: 'number', arg: 'percent', group: 'Reports and verdict', help: 'sipts only: pass only if at most this percentage of the RTP packets expected was lost (RFC 3550 A.3).' },
  { name: 'max-jitter', kind: 'time', arg: 'time', unit: 'ms', group: 'Reports and verdict', help: 'sipts only: pass only if the p99 over calls of their RTP jitter (RFC 3550 A.8) is at most this (ms).' },
  { name: 'min-success-rate', kind: 'number', arg: 'percent', group: 'Reports and verdict', help: 'sipts only: pass only if at least this percentage of ended calls succeeded.' },
  { name: 'f', kind: 'time', arg: 'period', unit: 's', default: '1', group: 'Display', help: 'Statistics screen refresh period (s).' },
  { name: 'nostdin', kind: 'flag', group: 'Display', help: 'Do not read keys from standard input.' },
  { name: 'plugin', kind: 'string', arg: 'file', group: 'Other', help: 'Load a SIPp plugin.', refused: 'SIPp plugins are native shared libraries loaded with dlopen into SIPp; sipts has no plugin ABI' },
  { name: 'sendbuffer_warn', kind: 'bool', arg: 'bool', default: 'false', group: 'Other', help: 'SIPp: a failed send of a message outside the scenario (an automatic answer or BYE) is a warning, not an error.', ignored: 'sipts never stops on a send error: it counts SendErrors and writes it to the -trace_err file (SIPp 3.6.1 has this option backwards: with it, such a failure is fatal)' },
  { name: 'bg', kind: 'flag', group: 'Other', help: 'Run in the background: print the PID and return.' },
  { name: 'v', kind: 'flag', group: 'Other', help: 'Print the version and exit.' },
  { name: 'demo', kind: 'flag', group: 'Other', help: 'sipts only: a short loopback run, sipts UAC against an in-process sipts UAS.' },
  { name: 'pause_msg_ign', kind: 'flag', group: 'Scenario', help: 'Ignore the messages a call receives while it is in a <pause> (not counted, not answered).' },
  { name: 'oocsf', kind: 'string', arg: 'file', group: 'Scenario', help: 'Out-of-call scenario: a run that places calls gives it every request of an unknown Call-ID (without it, such a request is counted and dropped).' },
  { name: 'rxsf', kind: 'string', arg: 'file', group: 'Scenario', help: 'SIPp 3.7\'s mixed mode: a server scenario run beside the -sf/-sn client scenario; a request of an unknown Call-ID that it starts with starts one of its calls.' },
  { name: 'rxsn', kind: 'string', arg: 'name', group: 'Scenario', help: 'The same with a built-in server scenario (uas, branchs).' },
  { name: 'rxinf', kind: 'list', arg: 'file', group: 'Scenario', help: 'Injection file of the -rxsf/-rxsn scenario ([fieldN] there). Repeatable.' },
  { name: 'oocsn', kind: 'string', arg: 'name', group: 'Scenario', help: 'A built-in out-of-call scenario: ooc_default (answers 200 OK) or ooc_dummy (all unexpected: with -aa, INFO, NOTIFY, OPTIONS and UPDATE are answered).' },
  // 3PCC (SIPp's twin instances): kept together at the end of the table.
  { name: '3pcc', kind: 'string', arg: 'ip:port', group: 'Scenario', help: '3PCC: the twin socket. A scenario whose first twin command is <sendCmd> connects there (start its twin first); one whose first is <recvCmd> listens there.' },
  { name: 'master', kind: 'string', arg: 'name', group: 'Scenario', help: 'Extended 3PCC: this instance is the master of that name in -slave_cfg (started last; its first twin command is <sendCmd>).' },
  { name: 'slave', kind: 'string', arg: 'name', group: 'Scenario', help: 'Extended 3PCC: this instance is the slave of that name in -slave_cfg (its first twin command is <recvCmd>).' },
  { name: 'slave_cfg', kind: 'string', arg: 'file', group: 'Scenario', help: 'Extended 3PCC: the instances\' addresses, one name;ip:port a line; each listens on its own and connects to those its <sendCmd dest> names.' },
  { name: 'send_timeout', kind: 'time', arg: 'time', unit: 'ms', default: '0', group: 'Timers', help: 'Default timeout of every <send> (ms; 0: none): a call whose connection stays congested that long fails (FailedTimeoutOnSend).' },
] as const satisfies readonly OptionSpec[];

export type OptionName = (typeof OPTIONS)[number]['name'];

export const OPTION_NAMES: ReadonlySet<string> = new Set(OPTIONS.map((o) => o.name));
