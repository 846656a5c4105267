/** The parts of JSON Schema (as in the OpenAPI document) a sample is built from. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  format?: string;
  minimum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  minItems?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
}

export const NO_ID = '00000000-0000-4000-8000-000000000000';

/** A value of the schema's shape, every property present, each at its smallest: a body the route reads far into. */
export function sampleOf(s: JsonSchema): unknown {
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  if (s.default !== undefined) return s.default;
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return sampleOf(alternatives.find((a) => a.type !== 'null') ?? alternatives[0] ?? {});
  if (s.allOf) return Object.assign({}, ...s.allOf.map(sampleOf));
  switch ([s.type].flat().find((t) => t !== 'null')) {
    case 'object': {
      const extra = typeof s.additionalProperties === 'object' ? s.additionalProperties : {};
      const keys = new Set([...Object.keys(s.properties ?? {}), ...(s.required ?? [])]);
      return Object.fromEntries([...keys].map((k) => [k, sampleOf(s.properties?.[k] ?? extra)]));
    }
    case 'array':
      return Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => sampleOf(s.items ?? {}));
    case 'integer':
    case 'number':
      return s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1);
    case 'boolean':
      return false;
    case 'string':
      if (s.format === 'uuid') return NO_ID;
      if (s.format === 'email') return 'someone@example.org';
      if (s.format === 'date-time') return new Date().toISOString();
      return 'x'.repeat(Math.max(1, s.minLength ?? 1));
    default:
      return null;
  }
}

/** Every copy of `value` with one leaf (a string, number, boolean or null) replaced by `by`. */
export function* withLeafReplaced(value: unknown, by: unknown, path: string[] = []): Generator<{ path: string; value: unknown }> {
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      for (const changed of withLeafReplaced(child, by, [...path, key])) {
        yield { path: changed.path, value: Array.isArray(value) ? value.map((v, i) => (String(i) === key ? changed.value : v)) : { ...value, [key]: changed.value } };
      }
    }
  } else {
    yield { path: path.join('.') || '(body)', value: by };
  }
}
