/**
 * Output fields. HubSpot accepts these types for custom-code outputs — string, number, boolean, datetime/date
 * (epoch ms), enumeration, phone number — and a string output of at most 65,000 characters.
 * https://developers.hubspot.com/docs/api/workflows/custom-code-actions ("outputFields")
 */

export type OutputType = 'string' | 'number' | 'boolean' | 'datetime' | 'date' | 'enumeration' | 'phone_number';

export interface OutputSpec<T extends OutputType = OutputType> {
  type: T;
  description: string;
  /** For enumeration outputs: the values it can take. */
  options?: readonly string[];
}

export type OutputSpecs = Record<string, OutputSpec>;

type ValueOf<T extends OutputType> = T extends 'number' | 'datetime' | 'date' ? number : T extends 'boolean' ? boolean : string;
export type OutputValues<S extends OutputSpecs> = { [K in keyof S]?: ValueOf<S[K]['type']> };

export const MAX_STRING_OUTPUT = 65_000;

function out<T extends OutputType>(type: T) {
  return (description: string, options?: readonly string[]): OutputSpec<T> => ({ type, description, ...(options ? { options } : {}) });
}

export const output = {
  string: out('string'),
  number: out('number'),
  boolean: out('boolean'),
  datetime: out('datetime'),
  date: out('date'),
  enumeration: out('enumeration'),
  phone_number: out('phone_number'),
};

/** Every action reports these, so every workflow can branch the same way. */
export const STANDARD_OUTPUTS = {
  status: output.enumeration('ok when the action did its job; error when it could not (see error_code)', ['ok', 'error']),
  error_code: output.string('Machine-readable reason when status is error (e.g. MISSING_INPUT, HUBSPOT_VALIDATION_ERROR); empty otherwise'),
  error_message: output.string('Human-readable reason when status is error; empty otherwise'),
} as const;

export type OutputValue = string | number | boolean;

/**
 * Checks flow results against the declaration: declared names only, right types, strings within HubSpot's limit.
 * Returns the problems instead of throwing so the adapter can decide (a developer bug is reported, not hidden).
 */
export function checkOutputs(specs: OutputSpecs, values: Record<string, unknown>): { outputFields: Record<string, OutputValue>; problems: string[]; truncated: string[] } {
  const outputFields: Record<string, OutputValue> = {};
  const problems: string[] = [];
  const truncated: string[] = [];
  for (const [name, raw] of Object.entries(values)) {
    if (raw === undefined || raw === null) continue;
    const s = specs[name];
    if (!s) {
      problems.push(`output "${name}" is not declared`);
      continue;
    }
    let value: unknown = raw;
    switch (s.type) {
      case 'number':
        if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) value = Number(value);
        if (typeof value !== 'number' || !Number.isFinite(value)) problems.push(`output "${name}" must be a finite number`);
        break;
      case 'boolean':
        if (typeof value !== 'boolean') problems.push(`output "${name}" must be a boolean`);
        break;
      case 'datetime':
      case 'date':
        if (value instanceof Date) value = value.getTime();
        if (typeof value !== 'number' || !Number.isInteger(value)) problems.push(`output "${name}" must be epoch milliseconds`);
        break;
      case 'enumeration':
        if (typeof value !== 'string' || (s.options && !s.options.includes(value))) problems.push(`output "${name}" must be one of ${s.options?.join(', ')}`);
        break;
      case 'string':
      case 'phone_number':
        if (typeof value === 'number') value = String(value);
        if (typeof value !== 'string') problems.push(`output "${name}" must be a string`);
        else if (value.length > MAX_STRING_OUTPUT) {
          value = `${value.slice(0, MAX_STRING_OUTPUT - 1)}…`;
          truncated.push(name);
        }
        break;
    }
    outputFields[name] = value as OutputValue;
  }
  return { outputFields, problems, truncated };
}
