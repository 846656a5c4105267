import { describe, expect, it } from 'vitest';
import { cutText, unstorable } from '@holdspace/domain';
import { signConsentSchema } from './clinic.js';
import { clientCommandSchema } from './realtime.js';
import { validationFailure } from './result.js';
import { freeText, textLength, visibleLength } from './text.js';

const arrival = (body: string) => ({ type: 'checkin.arrival', mood: 5, anxiety: 5, sleep: 'good', body, intention: '' });

describe('free text', () => {
  it('TXT1: NUL and half of a surrogate pair are refused with a message for the field', () => {
    for (const bad of ['before\u0000after', 'cut \uD83D', '\uDE00 start']) {
      const parsed = clientCommandSchema.safeParse(arrival(bad));
      expect(parsed.success).toBe(false);
      if (parsed.success) continue;
      const failure = validationFailure(parsed.error);
      expect(failure.issues?.[0]?.path).toBe('body');
      expect(failure.issues?.[0]?.message).toMatch(/control character|broken character/);
    }
    expect(clientCommandSchema.safeParse(arrival('a whole emoji 😀 and a family 👨‍👩‍👧')).success).toBe(true);
  });

  it('TXT2: zero-width and other invisible characters do not count toward a minimum', () => {
    expect(signConsentSchema.safeParse({ typedName: '\u200B\u200B' }).success).toBe(false);
    expect(signConsentSchema.safeParse({ typedName: '\u200D\uFEFF\u2060\u00AD' }).success).toBe(false);
    expect(signConsentSchema.safeParse({ typedName: 'Jo' }).success).toBe(true);
    expect(visibleLength(' \u200B a \u200B ')).toBe(1);
  });

  it('TXT3: lengths are counted in graphemes, and what is stored stays bounded', () => {
    expect(textLength('👨‍👩‍👧🇨🇦é')).toBe(3);
    const short = freeText({ max: 3 });
    expect(short.safeParse('👨‍👩‍👧👨‍👩‍👧👨‍👩‍👧').success).toBe(true);
    expect(short.safeParse('abcd').success).toBe(false);
    expect(short.safeParse(`a${'\u0301'.repeat(40)}`).success).toBe(false);
  });

  it('TXT4: text is cut at a grapheme boundary, never inside an emoji', () => {
    const cut = cutText('ab😀😀😀', 4);
    expect(cut).toBe('ab😀…');
    expect(unstorable(cut)).toBeNull();
  });
});
