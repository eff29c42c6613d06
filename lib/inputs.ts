import { ValidationError } from './errors';

/**
 * Input fields as a workflow sends them. HubSpot passes property values as strings (numbers, booleans and dates
 * included) and an unset property as "" — so empty or whitespace means absent, and every type is parsed from text.
 * https://developers.hubspot.com/docs/api/workflows/custom-code-actions ("inputFields")
 */

export type InputType = 'string' | 'email' | 'decimal' | 'integer' | 'boolean' | 'datetime' | 'enumeration';

export interface InputSpec<T extends InputType = InputType, R extends boolean = boolean> {
  type: T;
  required: R;
  description: string;
  /** The HubSpot property a user would usually map to this field (shown in the paste guide). */
  property?: string;
  /** For enumeration: the allowed internal values. */
  options?: readonly string[];
  /** Longest accepted text; HubSpot string properties hold at most 65,536 characters. */
  maxLength?: number;
}

export type InputSpecs = Record<string, InputSpec>;

type ValueOf<T extends InputType> = T extends 'boolean' ? boolean : T extends 'datetime' ? number : string;
export type InputValues<S extends InputSpecs> = {
  [K in keyof S]: S[K]['required'] extends true ? ValueOf<S[K]['type']> : ValueOf<S[K]['type']> | undefined;
};

/** HubSpot allows at most 50 input fields on a custom-code action. */
export const MAX_INPUT_FIELDS = 50;
const DEFAULT_MAX_LENGTH = 65_536;

function spec<T extends InputType>(type: T) {
  return <const R extends boolean = false>(description: string, extra: { required?: R; property?: string; options?: readonly string[]; maxLength?: number } = {}) =>
    ({ type, description, required: (extra.required ?? false) as R, ...extra }) as InputSpec<T, R>;
}

/** Builders for input declarations: `input.email('Contact email', { required: true, property: 'email' })`. */
export const input = {
  string: spec('string'),
  email: spec('email'),
  decimal: spec('decimal'),
  integer: spec('integer'),
  boolean: spec('boolean'),
  datetime: spec('datetime'),
  enumeration: spec('enumeration'),
};

// Deliberately plain: one @, no spaces or angle brackets, a dot in the domain. HubSpot validates further itself.
const EMAIL = /^[^\s@<>()[\],;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const TRUE_WORDS = new Set(['true', 'yes', '1', 'on']);
const FALSE_WORDS = new Set(['false', 'no', '0', 'off']);

export function parseEmail(text: string): string | undefined {
  const value = text.trim().toLowerCase();
  return value.length <= 254 && EMAIL.test(value) ? value : undefined;
}

/** A decimal as a canonical string ("1,234.50" is refused rather than guessed: is the comma a separator?). */
export function parseDecimal(text: string): string | undefined {
  const value = text.trim();
  if (!DECIMAL.test(value)) return undefined;
  const negative = value.startsWith('-');
  const unsigned = value.replace(/^[+-]/, '');
  const [intPart = '', fracPart = ''] = unsigned.split('.');
  const int = intPart.replace(/^0+(?=\d)/, '') || '0';
  const frac = fracPart.replace(/0+$/, '');
  const canonical = frac ? `${int}.${frac}` : int;
  return negative && /[1-9]/.test(canonical) ? `-${canonical}` : canonical;
}

/** Epoch milliseconds from HubSpot's forms: epoch ms as text, or an ISO 8601 date or date-time. */
export function parseDateTime(text: string): number | undefined {
  const value = text.trim();
  if (/^\d{1,15}$/.test(value)) return Number(value);
  const date = /^(\d{4})-(\d{2})-(\d{2})([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.exec(value);
  if (!date) return undefined;
  // V8's Date.parse rolls impossible days over ("2024-02-30" → 1 March); a workflow date must never move silently.
  const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  const ms = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
  return Number.isNaN(ms) ? undefined : ms;
}

function present(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  const text = typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : JSON.stringify(raw);
  return text.trim() === '' ? undefined : text;
}

function invalid(name: string, why: string): never {
  throw new ValidationError(`Input "${name}" ${why}`, { field: name, errorCode: 'INVALID_INPUT' });
}

export function parseInput(name: string, s: InputSpec, raw: unknown): unknown {
  const text = present(raw);
  if (text === undefined) {
    if (s.required) throw new ValidationError(`Input "${name}" is required but was empty or not mapped`, { field: name, errorCode: 'MISSING_INPUT' });
    return undefined;
  }
  const max = s.maxLength ?? DEFAULT_MAX_LENGTH;
  if (text.length > max) invalid(name, `is ${text.length} characters long; at most ${max} are accepted`);
  switch (s.type) {
    case 'string':
      return text.trim();
    case 'email':
      return parseEmail(text) ?? invalid(name, 'is not a valid email address');
    case 'decimal':
      return parseDecimal(text) ?? invalid(name, 'is not a plain decimal number (digits with an optional "." and sign, no thousands separators)');
    case 'integer': {
      const value = text.trim();
      return /^[+-]?\d+$/.test(value) ? String(BigInt(value)) : invalid(name, 'is not a whole number');
    }
    case 'boolean': {
      const value = text.trim().toLowerCase();
      if (TRUE_WORDS.has(value)) return true;
      if (FALSE_WORDS.has(value)) return false;
      return invalid(name, 'is not a boolean (true/false)');
    }
    case 'datetime':
      return parseDateTime(text) ?? invalid(name, 'is not a date (epoch milliseconds or ISO 8601)');
    case 'enumeration': {
      const value = text.trim();
      if (!s.options || s.options.includes(value)) return value;
      return invalid(name, `must be one of ${s.options.join(', ')}`);
    }
  }
}

/** Parses every declared field, collecting all problems into one error so the user fixes them in one go. */
export function parseInputs<S extends InputSpecs>(specs: S, raw: Record<string, unknown> | undefined): InputValues<S> {
  const out: Record<string, unknown> = {};
  const problems: ValidationError[] = [];
  for (const [name, s] of Object.entries(specs)) {
    try {
      out[name] = parseInput(name, s, raw?.[name]);
    } catch (error) {
      if (error instanceof ValidationError) problems.push(error);
      else throw error;
    }
  }
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) {
    const first = problems[0] as ValidationError;
    throw new ValidationError(problems.map((p) => p.message).join('; '), { field: first.field, errorCode: first.errorCode });
  }
  return out as InputValues<S>;
}
