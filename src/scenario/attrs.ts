/**
 * Typed reading of XML attributes. Each reader reports a bad value at the attribute, with a hint, and
 * returns a neutral value so that checking goes on and every problem is reported in one run.
 */
import type { Diagnostic } from '../errors.js';
import type { LabelRef, Loc, VarRef } from './ast.js';
import { DISTRIBUTION_PARAMS, distributionOf, type Distribution } from '../load/distributions.js';
import { sippReads } from './sipp-attrs.js';
import type { XmlAttr, XmlDocument, XmlElement } from './xml.js';

/** SIPp 3.6.1's old-style pause attributes that select a distribution, in the order it looks for them. */
const OLD_STYLE_FLAGS = [
  'normal',
  'exponential',
  'lognormal',
  'weibull',
  'pareto',
  'gamma',
] as const satisfies readonly Distribution['kind'][];

export class AttrReader {
  constructor(
    private readonly doc: XmlDocument,
    private readonly diagnostics: Diagnostic[],
  ) {}

  report(offset: number, message: string, hint?: string): void {
    const { line, col } = this.doc.lines.position(offset);
    this.diagnostics.push({
      file: this.doc.file,
      line,
      col,
      message,
      sourceLine: this.doc.lines.lineText(line),
      ...(hint === undefined ? {} : { hint }),
    });
  }

  /** A warning: something sipts reads, or ignores, only for SIPp's sake. */
  warn(offset: number, message: string, hint?: string): void {
    const { line, col } = this.doc.lines.position(offset);
    this.diagnostics.push({
      file: this.doc.file,
      line,
      col,
      message,
      sourceLine: this.doc.lines.lineText(line),
      severity: 'warning',
      ...(hint === undefined ? {} : { hint }),
    });
  }

  loc(offset: number): Loc {
    return this.doc.lines.position(offset);
  }

  /**
   * Attributes `el` does not take: `notYet`, and any other SIPp reads on that element, are SIPp's that sipts
   * does not implement yet (an error); any other is ignored with a warning. SIPp compat: SIPp asks an element
   * for the attributes it knows by name and never looks at the others, so a misspelt or made-up attribute
   * (<send id="1">) loads and does nothing.
   */
  checkNames(el: XmlElement, known: readonly string[], notYet: ReadonlySet<string>): void {
    for (const [name, attr] of el.attrs) {
      if (known.includes(name)) continue;
      if (notYet.has(name) || sippReads(el.name, name))
        this.report(
          attr.offset,
          `attribute '${name}' of <${el.name}> is not supported by this version of sipts yet`,
          'remove it, or run this scenario with SIPp for now',
        );
      else
        this.warn(
          attr.offset,
          `unknown attribute '${name}' on <${el.name}> is ignored, as SIPp ignores it`,
          `<${el.name}> takes: ${known.join(', ')}`,
        );
    }
  }

  /** A required attribute: reports its absence at the element. */
  required(el: XmlElement, name: string, example: string): XmlAttr | undefined {
    const a = el.attrs.get(name);
    if (a === undefined) this.report(el.offset, `<${el.name}> needs a ${name} attribute`, `e.g. ${example}`);
    return a;
  }

  ms(a: XmlAttr | undefined, what: string): number | undefined {
    if (a === undefined) return undefined;
    const v = a.value.trim();
    if (!/^\d+$/.test(v)) {
      this.report(a.offset, `${what}="${a.value}" is not a number of milliseconds`, `write a whole number, e.g. ${what}="500"`);
      return undefined;
    }
    return Number(v);
  }

  number(a: XmlAttr | undefined, what: string): number | undefined {
    if (a === undefined) return undefined;
    const v = Number(a.value.trim());
    if (a.value.trim() === '' || !Number.isFinite(v)) {
      this.report(a.offset, `${what}="${a.value}" is not a number`, `write a number, e.g. ${what}="1.5"`);
      return undefined;
    }
    return v;
  }

  /** A probability given as 0..1 (SIPp's chance) or a percentage given as 0..100 (lost). */
  fraction(a: XmlAttr | undefined, what: string, max: 1 | 100): number | undefined {
    if (a === undefined) return undefined;
    const v = Number(a.value.trim());
    if (a.value.trim() === '' || !Number.isFinite(v) || v < 0 || v > max) {
      this.report(
        a.offset,
        `${what}="${a.value}" is not ${max === 1 ? 'a probability' : 'a percentage'}`,
        `write a number from 0 to ${max}, e.g. ${what}="${max === 1 ? '0.5' : '10'}"`,
      );
      return undefined;
    }
    return v;
  }

  bool(a: XmlAttr | undefined, what: string): boolean {
    if (a === undefined) return false;
    const v = a.value.trim().toLowerCase();
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    this.report(a.offset, `${what}="${a.value}" is not a boolean`, `write ${what}="true" or ${what}="false"`);
    return false;
  }

  label(a: XmlAttr | undefined, what: string): LabelRef | undefined {
    if (a === undefined) return undefined;
    if (a.value.trim() === '') {
      this.report(a.offset, `${what}="" names no label`, 'name a <label id="…"/> of this scenario');
      return undefined;
    }
    return { label: a.value.trim(), loc: this.loc(a.offset) };
  }

  choice<T extends string>(a: XmlAttr | undefined, what: string, choices: readonly T[]): T | undefined {
    if (a === undefined) return undefined;
    const v = a.value.trim() as T;
    if (choices.includes(v)) return v;
    this.report(a.offset, `${what}="${a.value}" is not one of ${choices.join(', ')}`, `write e.g. ${what}="${choices[0] ?? ''}"`);
    return undefined;
  }

  /** distribution="…" and its parameters (SIPp's <sample> and timed <pause>); undefined when absent or bad. */
  distribution(el: XmlElement): Distribution | undefined {
    const kinds = Object.keys(DISTRIBUTION_PARAMS) as Distribution['kind'][];
    const kind = this.choice(el.attrs.get('distribution'), 'distribution', kinds);
    return kind === undefined ? undefined : this.parameters(el, kind, `distribution="${kind}"`);
  }

  /**
   * A <pause>'s distribution: distribution="…", else SIPp 3.6.1's old style (scenario.cpp, parse_distribution):
   * the first of the attributes normal, exponential, lognormal, weibull, pareto, gamma that is present names
   * the distribution whatever its value, then min or max make it uniform. Undefined when none is there (a
   * milliseconds or -d pause) or a parameter is bad.
   */
  pauseDistribution(el: XmlElement): Distribution | undefined {
    if (el.attrs.has('distribution')) return this.distribution(el);
    const flag = OLD_STYLE_FLAGS.find((f) => el.attrs.has(f));
    if (flag !== undefined) return this.parameters(el, flag, `${flag}="true"`);
    return el.attrs.has('min') || el.attrs.has('max') ? this.parameters(el, 'uniform', '') : undefined;
  }

  private parameters(el: XmlElement, kind: Distribution['kind'], selector: string): Distribution | undefined {
    const v: Record<string, number> = {};
    let ok = true;
    for (const name of DISTRIBUTION_PARAMS[kind]) {
      const n = this.number(
        this.required(
          el,
          name,
          `<${el.name} ${selector === '' ? '' : `${selector} `}${DISTRIBUTION_PARAMS[kind].map((p) => `${p}="…"`).join(' ')}/>`,
        ),
        name,
      );
      if (n === undefined) ok = false;
      else v[name] = n;
    }
    return ok ? distributionOf(kind, (name) => v[name] ?? Number.NaN) : undefined;
  }

  /** One variable name. */
  variable(a: XmlAttr | undefined, what: string): VarRef | undefined {
    return this.variables(a, what)?.[0];
  }

  /** A comma-separated list of variable names, as in assign_to="1,2,3". */
  variables(a: XmlAttr | undefined, what: string): VarRef[] | undefined {
    if (a === undefined) return undefined;
    const names = a.value.split(',').map((s) => s.trim());
    if (names.some((n) => !/^[A-Za-z0-9_.-]+$/.test(n))) {
      this.report(
        a.offset,
        `${what}="${a.value}" is not a list of variable names`,
        `write names of letters, digits, '_', '-' or '.', separated by commas, e.g. ${what}="user,domain"`,
      );
      return undefined;
    }
    const loc = this.loc(a.offset);
    return names.map((name) => ({ name, loc }));
  }
}
