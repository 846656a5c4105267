/**
 * Free text as people type it and as a database stores it (TXT1-TXT4). One place counts characters, so a form's
 * check, the protocol's limits and the domain's own rules agree.
 */

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** TXT3: how many characters a person sees: grapheme clusters (an emoji with its skin tone or a flag is one). */
export function textLength(text: string): number {
  let n = 0;
  let start = 0;
  // Segmenting a long string at once takes time growing with the square of its length (200 KB: minutes). Count a
  // chunk at a time instead, starting the next chunk at this chunk's last grapheme, which may go on past the cut.
  while (start < text.length) {
    let end = Math.min(text.length, start + CHUNK);
    // Never between the halves of a surrogate pair, where the cut-off half would count as a grapheme of its own.
    if (end < text.length && /[\uDC00-\uDFFF]/.test(text[end]!)) end -= 1;
    let count = 0;
    let last = 0;
    for (const { index } of graphemes.segment(text.slice(start, end))) {
      count += 1;
      last = index;
    }
    if (end === text.length) return n + count;
    if (last === 0) {
      n += 1;
      start = end;
    } else {
      n += count - 1;
      start += last;
    }
  }
  return n;
}
const CHUNK = 1024;

/**
 * Characters nobody sees: format characters (zero-width space, joiners, direction marks, the byte order mark),
 * the rest of Unicode's default-ignorable code points (fillers, variation selectors) and control characters.
 */
const invisible = /[\p{Cf}\p{Cc}\p{Default_Ignorable_Code_Point}]/gu;

/** TXT2: the characters that count toward a required minimum: the visible ones, without surrounding spaces. */
export function visibleLength(text: string): number {
  return textLength(text.replace(invisible, '').trim());
}

/** A UTF-16 surrogate without its other half: half of an emoji, cut by a careless length limit. */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export type UnstorableReason = 'nul' | 'lone_surrogate';

/** TXT1: why a database cannot store this text as written (PostgreSQL refuses NUL and broken UTF-16), or null. */
export function unstorable(text: string): UnstorableReason | null {
  if (text.includes('\u0000')) return 'nul';
  if (loneSurrogate.test(text)) return 'lone_surrogate';
  return null;
}

/** What to tell the person about text that cannot be stored: plain words, beside the field. */
export const unstorableMessage: Record<UnstorableReason, string> = {
  nul: 'This text holds an invisible control character (NUL). Delete it or type the text again.',
  lone_surrogate: 'This text holds a broken character (half of an emoji). Delete the last character or type it again.',
};

/** TXT4: text cut to at most `max` characters at a grapheme boundary, with an ellipsis: never half of an emoji. */
export function cutText(text: string, max: number): string {
  if (textLength(text) <= max) return text;
  let kept = '';
  let n = 0;
  for (const { segment } of graphemes.segment(text)) {
    if (n === max - 1) break;
    kept += segment;
    n += 1;
  }
  return `${kept.trimEnd()}…`;
}
