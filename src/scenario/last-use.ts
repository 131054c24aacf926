/**
 * Where a call may still read the last message it received. A call waiting at a step holds that message
 * (often half a kilobyte with its parsed fields) only if something can read it before the next receive
 * replaces it: a [last_*] keyword or an Authorization in a template, or an action. With tens of thousands
 * of calls held open in a long pause, this is most of what each keeps.
 */
import { StepKind, type CompiledStep } from './compiled-step.js';
import { Op, type Segment } from './segment.js';
import type { CompiledTemplate } from './template.js';

/** Ops that read the last received message (engine/render.ts: lastHeader, lastPart, authorization). */
const READS_LAST = new Set<number>([Op.LastHeader, Op.LastHeaderValue, Op.LastPart, Op.Auth]);

const segmentsRead = (segs: readonly Segment[]): boolean =>
  segs.some((s) => READS_LAST.has(s.op) || (s.sub !== undefined && segmentsRead(s.sub)));

export const templateReadsLast = (t: CompiledTemplate): boolean =>
  segmentsRead(t.header) || segmentsRead(t.startLine) || segmentsRead(t.body);

/**
 * For each step: true when a call waiting there may read its last received message before it receives
 * another. Conservative: actions, jumps (`next`) and <nop>s count as reads, since what they lead to is
 * not followed here; so does a receive with an ontimeout label.
 */
export function keepsLastRecv(steps: readonly CompiledStep[]): boolean[] {
  return steps.map((step, i) => {
    if (step.kind === StepKind.Recv) return step.onTimeoutIndex >= 0;
    for (let j = i; j < steps.length; j++) {
      const s = steps[j] as CompiledStep;
      if (s.kind === StepKind.Recv) return false;
      if (s.kind === StepKind.Nop || s.actions.length > 0 || s.nextIndex >= 0) return true;
      if (s.template !== undefined && templateReadsLast(s.template)) return true;
    }
    return false;
  });
}
