import { z } from 'zod';
import { textLength, unstorable, unstorableMessage, visibleLength } from '@holdspace/domain';

export { textLength, visibleLength } from '@holdspace/domain';

export interface FreeTextOptions {
  /** The most characters, counted as people count them (TXT3). */
  max: number;
  /** The fewest visible characters (TXT2); 0 when the field may be empty. */
  min?: number;
  tooShort?: string;
  tooLong?: string;
  /** Spaces at either end are dropped (the default); a password keeps them. */
  trim?: boolean;
}

/**
 * A grapheme can be any number of code units (combining marks pile up without end): past this many per character
 * allowed, the text is refused as too long whatever it looks like, so what is stored stays bounded.
 */
const CODE_UNITS_PER_CHARACTER = 8;

function storableIssue(text: string, ctx: z.RefinementCtx): boolean {
  const reason = unstorable(text);
  if (reason) ctx.addIssue({ code: 'custom', message: unstorableMessage[reason], params: { reason } });
  return reason !== null;
}

/**
 * TXT1-TXT3: every free-text field, HTTP and socket alike. Refuses what a database cannot store (NUL, half of a
 * surrogate pair) with a message for the field; counts length in graphemes; a required minimum counts visible
 * characters only, so zero-width spaces do not make a signature.
 */
export function freeText({ max, min = 0, tooShort, tooLong, trim = true }: FreeTextOptions) {
  const base = trim ? z.string().trim() : z.string();
  return base.superRefine((text, ctx) => {
    if (storableIssue(text, ctx)) return;
    if (text.length > max * CODE_UNITS_PER_CHARACTER || textLength(text) > max) {
      ctx.addIssue({ code: 'custom', message: tooLong ?? `At most ${max} characters` });
    } else if (min > 0 && visibleLength(text) < min) {
      ctx.addIssue({ code: 'custom', message: tooShort ?? (min === 1 ? 'Required' : `At least ${min} characters`) });
    }
  });
}

/** TXT1 for a string that is not prose but still reaches the database or a hash (a token, an address, a key). */
export function storable<T extends z.ZodString>(schema: T): T {
  return schema.superRefine((text, ctx) => void storableIssue(text, ctx)) as T;
}
