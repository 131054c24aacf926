/** Searches of a scenario's compiled steps from a call's place in it. */
import { StepKind, type CompiledStep } from '../scenario/compile.js';

/** Whether a send or a receive lies at or after step `from` (else only pauses and nops are left). */
export function exchangeAhead(steps: readonly CompiledStep[], from: number): boolean {
  for (let j = from; j < steps.length; j++) {
    const kind = (steps[j] as CompiledStep).kind;
    if (kind === StepKind.Send || kind === StepKind.Recv) return true;
  }
  return false;
}

/** The receive a call really waits for: optional receives before it may be skipped, so not them. */
export function awaitedStep(steps: readonly CompiledStep[], from: number): number {
  for (let j = from; j < steps.length; j++) {
    const s = steps[j] as CompiledStep;
    if (s.kind !== StepKind.Recv) break;
    if (!s.optional) return j;
  }
  return from;
}

/**
 * The step a call is counted and reported at (unexpected messages, failed-call evidence): the receive it waits
 * for from where it is, a call past its last step standing at the last one.
 */
export function awaitedAt(steps: readonly CompiledStep[], stepIndex: number): number {
  return awaitedStep(steps, Math.min(stepIndex, steps.length - 1));
}
