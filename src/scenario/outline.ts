/**
 * What a report reads of a scenario: its name, its file and its steps' kinds, titles and lines. A compiled
 * scenario is one; so is what a --json file keeps of it, from which `sipts merge` reports a merged run without
 * the scenario (or its -key values, injection files and media) at hand.
 */
import type { StepKindValue } from './compiled-step.js';

export interface StepOutline {
  readonly kind: StepKindValue;
  readonly title: string;
  readonly loc: { readonly line: number };
}

export interface ScenarioOutline {
  readonly name: string;
  readonly file: string;
  readonly steps: readonly StepOutline[];
}
