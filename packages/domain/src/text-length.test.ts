import { describe, expect, it } from 'vitest';
import { textLength } from './text.js';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const counted = (s: string) => [...segmenter.segment(s)].length;

describe('textLength (TXT3)', () => {
  it('counts long texts as one segmentation of the whole would, across its chunks', () => {
    for (const text of ['x'.repeat(5000), '🙂'.repeat(3000), 'a🙂'.repeat(1500), '👨‍👩‍👧‍👦e\u0301'.repeat(700), '🇸🇪🇩🇪'.repeat(900) + 'a', 'a\r\nb'.repeat(1000)]) {
      expect(textLength(text)).toBe(counted(text));
    }
  });

  it('counts 200 KB in well under a second (one segmentation of it takes minutes)', () => {
    const started = Date.now();
    expect(textLength('x'.repeat(200_000))).toBe(200_000);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
