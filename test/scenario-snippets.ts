/**
 * Steps of our own that many test scenarios share, written once (SIPp's docs style: keywords, no indentation, a
 * blank line before ]]>). A test that needs other bytes writes its own text.
 */

/** The lines of one message, the header lines `extra` before Content-Length: 0 and a blank line. */
const message = (first: readonly string[], extra: readonly string[]): string =>
  [...first, ...extra, 'Content-Length: 0', '', ''].join('\n');

/**
 * 200 OK to the last request, its Via, From, To, Call-ID and CSeq copied (RFC 3261 §8.2.6.2); `toTag` follows
 * [last_To:] (e.g. ";tag=x" when the request had none), `extra` are more header lines.
 */
export const ok200Text = (extra: readonly string[] = [], toTag = ''): string =>
  message(['SIP/2.0 200 OK', '[last_Via:]', '[last_From:]', `[last_To:]${toTag}`, '[last_Call-ID:]', '[last_CSeq:]'], extra);

/** A <send> of ok200Text. */
export const answer200 = (extra: readonly string[] = [], toTag = ''): string => `<send><![CDATA[\n${ok200Text(extra, toTag)}]]></send>`;

/** A UAS's 200 to the INVITE: its To tag and a Contact for the ACK and BYE. */
export const answerInvite200 = (toTag: string): string =>
  answer200(['Contact: <sip:[local_ip]:[local_port];transport=[transport]>'], `;tag=${toTag}`);

/** A <DefaultMessage id="bye"> hanging up in the dialog, marked with an X-Default header. */
export const defaultBye = (mark: string): string => `<DefaultMessage id="bye"><![CDATA[
${message(['BYE [next_url] SIP/2.0', 'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]', '[last_From:]', '[last_To:]', 'Call-ID: [call_id]', 'CSeq: [last_cseq_number+1] BYE'], [`X-Default: ${mark}`])}]]></DefaultMessage>`;

/**
 * A request of a UAC in the style of SIPp's built-in uac (From sipp, To sut): `cseq` its CSeq number, `inDialog`
 * adds [peer_tag_param] to To; retransmitted every 500 ms over UDP but for ACK.
 */
export function uacRequest(method: 'INVITE' | 'ACK' | 'BYE', cseq: number, inDialog = method !== 'INVITE'): string {
  const retrans = method === 'ACK' ? '' : ' retrans="500"';
  return `<send${retrans}><![CDATA[
${message(
  [
    `${method} sip:service@[remote_ip]:[remote_port] SIP/2.0`,
    'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]',
    'From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]',
    `To: sut <sip:service@[remote_ip]:[remote_port]>${inDialog ? '[peer_tag_param]' : ''}`,
    'Call-ID: [call_id]',
    `CSeq: ${cseq} ${method}`,
    'Contact: sip:sipp@[local_ip]:[local_port]',
    'Max-Forwards: 70',
  ],
  [],
)}]]></send>`;
}

/** A plain INVITE step for hand-written scenarios: no retransmission, no SDP. */
export const PLAIN_INVITE = `<send><![CDATA[
      INVITE sip:x@127.0.0.1 SIP/2.0
      Via: SIP/2.0/UDP [local_ip]:[local_port];branch=[branch]
      From: <sip:a@h>;tag=1
      To: <sip:x@h>
      Call-ID: [call_id]
      CSeq: [cseq] INVITE
      Content-Length: 0
    ]]></send>`;
