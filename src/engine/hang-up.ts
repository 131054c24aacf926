/**
 * Ending a failed call: what the peer holds is released first (CANCEL or BYE, with the "bye" behaviour),
 * then the call is finished with its reason.
 */
import { parseMessage } from '../sip/parser.js';
import { buildBye, buildCancel } from '../sip/requests.js';
import type { CallState } from './call.js';
import type { CallHost } from './host.js';
import type { FailedOutcome } from '../events/outcome.js';
import { renderTemplate } from './render.js';

/** Ends a failed call, first releasing what the peer holds (see hangUp). */
export function abort(host: CallHost, call: CallState, reason: FailedOutcome): void {
  hangUp(host, call);
  host.finish(call, reason);
}

/**
 * With the "bye" behaviour, releases what the peer holds for a call about to be dropped: CANCEL for an
 * INVITE that had only a provisional response (RFC 3261 §9.1), BYE for a confirmed dialog (§15).
 */
export function hangUp(host: CallHost, call: CallState): void {
  if (!host.settings.behaviors.bye || call.hangUpBase === '' || call.byeSent) return;
  const parsed = parseMessage(call.hangUpBase);
  if (!parsed.ok) return;
  const own = host.scenario.defaultMessages;
  if (call.dialogConfirmed) {
    call.cseq++;
    call.byeSent = true;
    // <DefaultMessage id="bye">: the scenario's BYE, rendered for the call (SIPp's default reads [last_*]).
    if (own.bye !== undefined) {
      host.send(call, renderTemplate(own.bye, call, -1));
      return;
    }
    const remoteTarget = call.dialogTarget?.remoteTarget ?? call.nextUrl;
    const routes = call.dialogTarget?.routes ?? call.routes;
    host.send(
      call,
      buildBye(parsed.msg, {
        peerTagParam: call.peerTagParam,
        cseq: call.cseq,
        branch: `z9hG4bK-abort-${call.idTag}-${call.number}-${call.cseq}`,
        remoteTarget,
        routes,
      }),
    );
  } else if (call.inviteProvisional) {
    host.send(call, own.cancel !== undefined ? renderTemplate(own.cancel, call, -1) : buildCancel(parsed.msg));
  }
}
