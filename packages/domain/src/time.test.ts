import { describe, expect, it } from 'vitest';
import { dateIn, zonedToUtc } from './time.js';

describe('TIME1: wall-clock times in a time zone', () => {
  it('converts across standard and daylight time', () => {
    expect(zonedToUtc('2026-12-01T17:00', 'America/New_York').toISOString()).toBe('2026-12-01T22:00:00.000Z');
    expect(zonedToUtc('2026-07-01T17:00', 'America/New_York').toISOString()).toBe('2026-07-01T21:00:00.000Z');
    expect(zonedToUtc('2026-07-01T09:30', 'Asia/Kolkata').toISOString()).toBe('2026-07-01T04:00:00.000Z');
    expect(zonedToUtc('2026-01-15T08:00', 'UTC').toISOString()).toBe('2026-01-15T08:00:00.000Z');
  });
  it('gives the calendar date in a zone', () => {
    expect(dateIn(new Date('2026-12-02T03:00:00Z'), 'America/Los_Angeles')).toBe('2026-12-01');
  });
});
