/**
 * The <ereg> action as SIPp 3.6.1 runs it (call.cpp, executeAction and extractSubMessage; actions.cpp,
 * executeRegExp). Scenarios rebuild headers from what it captures (`From[$2]`), so where it starts and
 * stops matters byte for byte.
 */
import type { CompiledAction, VarSlot } from '../scenario/compile-actions.js';
import { formatVar } from './var-value.js';
import type { CallState } from './call.js';
import { getVar, setVar } from './vars.js';
import { Failure, type FailedOutcome } from '../events/outcome.js';

/** SIPp's MAX_SUB_MESSAGE_LENGTH (2049) less its terminator: the longest header text an ereg sees. */
const MAX_HEADER_TEXT = 2048;

/**
 * SIPp compat: search_in="hdr" looks for the header attribute as written, as a plain string, not as a
 * header name: `From` captures from the colon on (`: "A" <sip:a@h>`), `From:` from the space after it; no
 * compact forms, no joining of repeated headers. It is found anywhere in the message (`To:` inside
 * `Reply-To:`, `t:` inside `Subject:`) unless start_line="true" keeps it to the start of a line;
 * case_indep="true" ignores case in this search (not in the regexp). `occurrence` counts the places found
 * (0 and 1 both mean the first). The text runs to the end of that line. '' when not found.
 */
export function sippHeaderText(raw: string, name: string, caseIndep: boolean, occurrence: number, startLine: boolean): string {
  if (name === '') return '';
  const haystack = caseIndep ? raw.toLowerCase() : raw;
  const needle = caseIndep ? name.toLowerCase() : name;
  let left = occurrence;
  let at = haystack.indexOf(needle);
  while (at >= 0) {
    if (!startLine || at === 0 || raw.charCodeAt(at - 1) === 10) {
      if (left <= 1) break;
      left--;
    }
    at = haystack.indexOf(needle, at + 1);
  }
  if (at < 0) return '';
  const from = at + name.length;
  let end = from;
  const limit = Math.min(raw.length, from + MAX_HEADER_TEXT);
  while (end < limit) {
    const c = raw.charCodeAt(end);
    if (c === 13 || c === 10) break;
    end++;
  }
  return raw.slice(from, end);
}

/**
 * Runs one ereg. `raw` is the message it reads: on a <send> the message just sent (SIPp runs a send's
 * actions on it), else the last one received. The failed outcome when check_it says the call fails, else undefined.
 */
export function ereg(call: CallState, a: Extract<CompiledAction, { kind: 'ereg' }>, raw: string | undefined): FailedOutcome | undefined {
  let subject: string | undefined;
  if (a.searchIn === 'var') subject = a.source === undefined ? undefined : formatVar(getVar(call, a.source));
  else if (raw === undefined) subject = undefined;
  else if (a.searchIn === 'msg')
    subject = raw; // SIPp compat: start_line and case_indep are for hdr only
  else if (a.searchIn === 'body') {
    // SIPp compat: everything after the first empty line, whatever Content-Length says.
    const blank = raw.indexOf('\r\n\r\n');
    if (blank < 0 && a.checkIt) return Failure.FailedRegexpHdrNotFound;
    subject = blank < 0 ? '' : raw.slice(blank + 4);
  } else {
    subject = sippHeaderText(raw, a.header, a.caseIndep, a.occurrence, a.startLine);
    // SIPp compat: a header with nothing after the name counts as not found.
    if (subject === '' && a.checkIt) return Failure.FailedRegexpHdrNotFound;
  }
  const m = subject === undefined ? null : a.re.exec(subject);
  if (m === null && a.checkIt) return Failure.FailedRegexpDoesntMatch;
  if (m !== null && a.checkItInverse) return Failure.FailedRegexpShouldntMatch;
  // SIPp compat: assign_to="all,g1,g2" takes the whole match, then each group; no match leaves every
  // variable as it was, and a group that took no part in the match leaves its own.
  if (m !== null) {
    for (let i = 0; i < a.assignTo.length; i++) {
      const g = m[i];
      if (g !== undefined) setVar(call, a.assignTo[i] as VarSlot, g);
    }
  }
  return undefined;
}
