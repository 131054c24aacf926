/** Places in a scenario file that later stages report errors at: positions, label and variable references, template texts. */

/** A place in the scenario file (1-based). */
export interface Loc {
  readonly line: number;
  readonly col: number;
}

/** A reference to a label, kept with its place so an undefined label can be reported there. */
export interface LabelRef {
  readonly label: string;
  readonly loc: Loc;
}

/** A variable named in an attribute, kept with its place so an undefined one can be reported there. */
export interface VarRef {
  readonly name: string;
  readonly loc: Loc;
}

export interface TemplateSource {
  readonly text: string;
  /** Source offset of text[0], to locate keyword errors. */
  readonly offset: number;
}
