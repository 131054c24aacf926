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
