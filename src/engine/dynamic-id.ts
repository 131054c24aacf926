/**
 * [dynamic_id]: one counter for the whole run (SIPp: a static of class call). Each use renders the value
 * and moves it on by -dynamicStep; SIPp compat: once past -dynamicMax it starts again at -dynamicStart, so
 * -dynamicMax itself is rendered.
 */
export class DynamicIdCounter {
  private value: number;

  constructor(
    private readonly start: number,
    private readonly max: number,
    private readonly step: number,
  ) {
    this.value = start;
  }

  next(): number {
    const v = this.value;
    this.value += this.step;
    if (this.value > this.max) this.value = this.start;
    return v;
  }
}

/** SIPp's defaults: from 10000 by 4 up to 12000. */
export const DEFAULT_DYNAMIC_ID = { start: 10_000, max: 12_000, step: 4 } as const;
