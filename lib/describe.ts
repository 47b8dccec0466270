// How a value a caller passed is shown in a TypeError/RangeError: short, and never the value's
// whole text. Its own module so that every option check can use it without importing targets.ts.

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    default:
      return `an object {${Object.keys(value).slice(0, 4).join(', ')}}`;
  }
}
