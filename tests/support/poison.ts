import fc from 'fast-check';
import type { z } from 'zod';

/** What a string leaf is filled with when it must be valid: real ids by the name of their key, text otherwise. */
export type IdFor = (key: string) => string;

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  entries?: Record<string, string>;
  values?: unknown[];
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  items?: z.ZodType[];
  format?: string;
}
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def; bag: Record<string, unknown> } })._zod;

/** One valid value for a schema (the first option of a union), with real ids where ids are asked for. */
export function validSample(schema: z.ZodType, idFor: IdFor, key = ''): unknown {
  const { def, bag } = defOf(schema);
  switch (def.type) {
    case 'object':
      return Object.fromEntries(Object.entries(def.shape ?? {}).map(([k, v]) => [k, validSample(v, idFor, k)]));
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return validSample(def.innerType!, idFor, key);
    case 'pipe':
      return validSample(def.in!, idFor, key);
    case 'string': {
      if (def.format === 'uuid' || bag.format === 'uuid') return idFor(key);
      if (bag.format === 'email') return 'poison.test@example.com';
      if (bag.format === 'datetime') return new Date().toISOString();
      if (bag.format === 'url') return 'https://example.com/';
      const patterns = bag.patterns as Set<RegExp> | undefined;
      if (patterns && patterns.size > 0) return fc.sample(fc.stringMatching([...patterns][0]!), { numRuns: 1, seed: 7 })[0];
      if (key === 'timeZone') return 'Europe/Paris';
      const min = (bag.minimum as number | undefined) ?? 0;
      const max = (bag.maximum as number | undefined) ?? 100;
      return 'Plain words here, long enough'.padEnd(Math.max(min, 25), '.').slice(0, Math.max(max, 1));
    }
    case 'number':
      return Math.max((defOf(schema).bag.minimum as number | undefined) ?? 1, 1);
    case 'boolean':
      return true;
    case 'enum':
      return Object.values(def.entries ?? {})[0];
    case 'literal':
      return def.values?.[0];
    case 'array': {
      const min = (bag.minimum as number | undefined) ?? 0;
      return Array.from({ length: Math.max(min, 1) }, () => validSample(def.element!, idFor, key));
    }
    case 'tuple':
      return (def.items ?? []).map((i) => validSample(i, idFor, key));
    case 'union':
      return validSample(def.options![0]!, idFor, key);
    case 'record':
      return {};
    default:
      return undefined;
  }
}

/** Every way to put `poison` into one string leaf of a valid value: the path, and the whole value with it in. */
export function poisoned(schema: z.ZodType, idFor: IdFor, poison: string, key = ''): { path: string; value: unknown }[] {
  const { def } = defOf(schema);
  switch (def.type) {
    case 'object': {
      const base = validSample(schema, idFor, key) as Record<string, unknown>;
      return Object.entries(def.shape ?? {}).flatMap(([k, v]) =>
        poisoned(v, idFor, poison, k).map((p) => ({ path: p.path ? `${k}.${p.path}` : k, value: { ...base, [k]: p.value } })),
      );
    }
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return poisoned(def.innerType!, idFor, poison, key);
    case 'pipe':
      return poisoned(def.in!, idFor, poison, key);
    case 'string':
      return [{ path: '', value: `${validSample(schema, idFor, key) as string}${poison}` }];
    case 'array':
      return poisoned(def.element!, idFor, poison, key).map((p) => ({ path: `0${p.path ? `.${p.path}` : ''}`, value: [p.value] }));
    case 'tuple':
      return [];
    case 'union':
      // Each option of a command union is its own command: poison each.
      return (def.options ?? []).flatMap((o) => poisoned(o, idFor, poison, key));
    case 'record': {
      const keyPoison = `answer${poison}`;
      const values = poisoned(def.valueType!, idFor, poison, key).map((p) => ({ path: `*.${p.path}`, value: { a: p.value } }));
      return [{ path: '(key)', value: { [keyPoison]: validSample(def.valueType!, idFor, key) } }, ...values];
    }
    default:
      return [];
  }
}

export const POISONS = { NUL: '\u0000', 'lone surrogate': '\uD83D' } as const;
