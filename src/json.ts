/**
 * JSON.parse typed as what it gives: unknown until a type guard narrows it (the standard library leaves it untyped,
 * which would let a wrong guess about a file's contents through unchecked).
 */
const json: { parse(text: string): unknown } = JSON;

export const parseJson = (text: string): unknown => json.parse(text);

/** Array.isArray with its items left unknown (the standard library leaves them untyped). */
export const isArray = (v: unknown): v is readonly unknown[] => Array.isArray(v);
