// Input validation against the newest-version TypeBox schemas. Query strings are converted first (booleans and
// numbers arrive as text, repeated keys as arrays). A failure names the field at fault.
import { Compile } from 'typebox/compile';
import type { TSchema } from 'typebox';
import { ApiError } from './errors.ts';

export type InputLocation = 'params' | 'query' | 'body';

export interface InputValidator {
  parse(value: unknown): unknown;
}

/** `/a/0/b` → `a[0].b`; the required property is appended for `required` errors. */
function fieldPath(instancePath: string, missing?: string): string {
  const segments = instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (missing) segments.push(missing);
  let path = '';
  for (const segment of segments) path += /^\d+$/.test(segment) ? `[${segment}]` : path ? `.${segment}` : segment;
  return path;
}

/** Schema-level failures answer 400, or 422 on endpoints that document 422 and not 400 (as the spec's creates do). */
function validationStatusCode(documentedErrors: readonly number[] | undefined): 'validation_failed' | 'unprocessable' {
  return documentedErrors?.includes(422) && !documentedErrors.includes(400) ? 'unprocessable' : 'validation_failed';
}

const integerText = /^[+-]?\d+$/;
const numberText = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The top-level properties of a query or path schema that are numbers, with the text each must match. TypeBox's
 * conversion is lenient (`1.5` becomes the integer 1, `0x10` becomes 16), so such text is kept as it came and fails
 * the check, naming the parameter.
 */
function numericProperties(schema: TSchema): Array<[name: string, text: RegExp]> {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {};
  const numeric: Array<[string, RegExp]> = [];
  for (const [name, property] of Object.entries(properties)) {
    if (property.type === 'integer') numeric.push([name, integerText]);
    else if (property.type === 'number') numeric.push([name, numberText]);
  }
  return numeric;
}

/**
 * A query schema that an empty query passes unchanged: no defaults to fill in and nothing required. Most GETs come
 * with no query string, and then converting, defaulting and checking `{}` is skipped (TypeBox's Convert walks the
 * schema each time: ~5 % of a resource read's CPU).
 */
function emptyPassesUnchanged(schema: TSchema, check: (value: unknown) => boolean): boolean {
  const object = schema as { type?: unknown; properties?: Record<string, object> };
  if (object.type !== 'object' || 'default' in object) return false;
  if (Object.values(object.properties ?? {}).some((property) => 'default' in property)) return false;
  return check({});
}

function isEmptyObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  for (const _key in value) return false;
  return true;
}

export function compileValidator(
  schema: TSchema,
  location: InputLocation,
  documentedErrors?: readonly number[],
): InputValidator {
  const validator = Compile(schema);
  const code = validationStatusCode(documentedErrors);
  const numeric = location === 'body' ? [] : numericProperties(schema);
  const convert = (value: unknown): unknown => {
    if (numeric.length === 0 || typeof value !== 'object' || value === null) return validator.Convert(value);
    const raw = value as Record<string, unknown>;
    const kept: Array<[string, string]> = [];
    for (const [name, text] of numeric) {
      const given = raw[name];
      if (typeof given === 'string' && !text.test(given)) kept.push([name, given]);
    }
    const converted = validator.Convert(value) as Record<string, unknown>;
    for (const [name, given] of kept) converted[name] = given;
    return converted;
  };
  const emptyIsValid = location === 'query' && emptyPassesUnchanged(schema, (value) => validator.Check(value));
  return {
    parse(value: unknown): unknown {
      if (emptyIsValid && isEmptyObject(value)) return value;
      let candidate = value;
      if (location === 'body' && candidate === undefined && (schema as { type?: string }).type === 'object')
        candidate = {};
      candidate = validator.Default(location === 'body' ? candidate : convert(candidate));
      if (validator.Check(candidate)) return candidate;
      const [first] = validator.Errors(candidate);
      const missing =
        first?.keyword === 'required'
          ? (first.params as { requiredProperties?: string[] }).requiredProperties?.[0]
          : undefined;
      const field = fieldPath(first?.instancePath ?? '', missing);
      const reason = missing ? 'is required' : (first?.message ?? 'is invalid');
      const where = location === 'body' ? '' : `${location} parameter `;
      throw new ApiError(code, field ? `${where}${field}: ${reason}` : `${location}: ${reason}`, {
        metadata: { field: field || location, location, reason },
      });
    },
  };
}
