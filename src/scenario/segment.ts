/** A compiled message is a list of segments: literal text and the few values that change per call. */

export const Op = {
  Lit: 0,
  CallId: 1,
  CallNumber: 2,
  Cseq: 3,
  Branch: 4,
  Len: 5,
  PeerTagParam: 6,
  LastHeader: 7,
  LastHeaderValue: 8,
  Routes: 9,
  NextUrl: 10,
  RemoteIp: 11,
  RemotePort: 12,
  LocalPort: 13,
  /** A line dropped whole when its keywords render empty (sub holds the line, CRLF included). */
  OptLine: 14,
  /** [$name]: n is the slot; text is 'g' for a <Global> variable. */
  Var: 15,
  /** [fieldN]: n is the field, m the injection file; text is a fixed line number, or ''. */
  Field: 16,
  /** Renders its sub segments: a parameter of a keyword. */
  Group: 17,
  /** [authentication]: sub is [Group(username), Group(password), …]; text is -auth_uri's digest uri, or ''. */
  Auth: 18,
  /** [clock_tick]: ms since the run started. */
  ClockTick: 19,
  /** [timestamp]: the time as SIPp's logs print it. */
  Timestamp: 20,
  /** [userid]: the -users user of the call. */
  UserId: 21,
  /** [fill variable=v text=t]: text repeated to the length held in v (n: slot, m: 1 if global). */
  Fill: 22,
  /** [last_Request_URI], [last_cseq_number], [last_message]: text is which. */
  LastPart: 23,
  /** [tdmmap]: the call's -tdmmap circuit. */
  Tdm: 24,
  /** [local_ip] under -t ui: the address of the call's own socket. */
  LocalIp: 25,
  /** [dynamic_id]: the run's shared counter (-dynamicStart, -dynamicStep, -dynamicMax). */
  DynamicId: 26,
  /** [server_ip]: the local address of the call's socket, as getsockname gives it (no brackets). */
  ServerIp: 27,
  /** [msg_index]: the index of the message being sent. */
  MsgIndex: 28,
  /** [auto_media_port]: n is -mp plus the offset; SIPp adds 4 × (call number − 1) mod 10000. */
  AutoMediaPort: 29,
  /** [date]: the time now, RFC 1123 in GMT ("Mon, 30 Nov 2026 13:04:00 GMT"). */
  Date: 30,
  /** [file name=…]: the content of a file, read at each send; sub renders the name. */
  File: 31,
  /** [cryptokeyparams1audio] …: a new base64 SRTP master key and salt; n says which, m is 1 to reuse the last one. */
  CryptoKey: 32,
} as const;

/** One shape for every segment keeps the render loop monomorphic. */
export interface Segment {
  readonly op: number;
  /** Literal text, or a header name, or a literal prefix. */
  readonly text: string;
  /** Keyword offset ([cseq+1], [branch-2]), variable slot, field number. */
  readonly n: number;
  /** Second number: injection file index. */
  readonly m: number;
  readonly sub: readonly Segment[] | undefined;
}
