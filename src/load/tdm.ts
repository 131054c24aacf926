/**
 * SIPp's -tdmmap {0-3}{99}{5-8}{1-31}: a table of TDM circuits. A call takes a free circuit and gives it
 * back when it ends; with none free, no call starts. [tdmmap] renders the call's circuit as x.y.h/z.
 */

export interface TdmMap {
  readonly x: readonly [number, number];
  readonly h: number;
  readonly y: readonly [number, number];
  readonly z: readonly [number, number];
}

/** Parses `{a-b}{h}{c-d}{e-f}`; undefined when it is not of that form. */
export function parseTdmMap(s: string): TdmMap | undefined {
  const m = /^\{(\d+)(?:-(\d+))?\}\{(\d+)\}\{(\d+)(?:-(\d+))?\}\{(\d+)(?:-(\d+))?\}$/.exec(s.replace(/\s/g, ''));
  if (m === null) return undefined;
  const range = (a: string | undefined, b: string | undefined): [number, number] => [Number(a), Number(b ?? a)];
  const map = { x: range(m[1], m[2]), h: Number(m[3]), y: range(m[4], m[5]), z: range(m[6], m[7]) };
  return map.x[1] < map.x[0] || map.y[1] < map.y[0] || map.z[1] < map.z[0] ? undefined : map;
}

export function circuitCount(t: TdmMap): number {
  return (t.x[1] - t.x[0] + 1) * (t.y[1] - t.y[0] + 1) * (t.z[1] - t.z[0] + 1);
}

/**
 * Circuit n (from 0) as [tdmmap] prints it, x.h.y/z: z varies fastest, then y, then x.
 * SIPp compat: h stands second, between x and y, although -tdmmap gives it after x's range (seen with
 * SIPp 3.6.1: -tdmmap {0-3}{99}{5-8}{1-31} renders 0.99.8/11).
 */
export function circuitName(t: TdmMap, n: number): string {
  const ny = t.y[1] - t.y[0] + 1;
  const nz = t.z[1] - t.z[0] + 1;
  return `${t.x[0] + Math.floor(n / (ny * nz))}.${t.h}.${t.y[0] + (Math.floor(n / nz) % ny)}/${t.z[0] + (n % nz)}`;
}

/** Free circuits, lowest first. */
export class CircuitPool {
  private readonly free: number[];
  constructor(readonly map: TdmMap) {
    this.free = Array.from({ length: circuitCount(map) }, (_, i) => circuitCount(map) - 1 - i);
  }
  get available(): number {
    return this.free.length;
  }
  take(): number | undefined {
    return this.free.pop();
  }
  give(n: number): void {
    this.free.push(n);
  }
}
