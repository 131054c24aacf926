import type { SipMessage } from '../sip/message.js';

/** What tells a message's retransmissions: its transaction (CSeq, method, top Via branch) and kind. */
export type RetransKey = Pick<SipMessage, 'status' | 'method' | 'cseq' | 'cseqMethod' | 'branch'>;
