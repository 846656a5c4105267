import { describe, type CircleStatus, type Device } from '@holdspace/domain';
import type { CircleKind } from '@holdspace/protocol';

const kindLabels: Record<CircleKind, string> = {
  preparation: 'Preparation circle',
  dosing: 'Dosing circle',
  integration: 'Integration circle',
  follow_up: 'Follow-up circle',
};

export function kindLabel(kind: CircleKind): string {
  return kindLabels[kind];
}

/** "Not open yet", "Open", "In session", "Closed": the domain's words, capitalised for a badge. */
export function statusLabel(status: CircleStatus): string {
  const words = describe(status);
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export type Tone = 'waiting' | 'live' | 'attention' | 'quiet';

export function statusTone(status: CircleStatus): Tone {
  switch (status) {
    case 'scheduled':
      return 'waiting';
    case 'open':
    case 'in_session':
      return 'live';
    case 'closed':
      return 'quiet';
  }
}

export interface WhenParts {
  /** "Tuesday 14 May" */
  date: string;
  /** "18:30 CEST" */
  time: string;
  /** Machine-readable instant for <time datetime>. */
  iso: string;
}

/**
 * A circle's start as its clinic scheduled it: in the circle's own time zone, in the reader's language. A bad time
 * zone falls back to the reader's own rather than hiding the time.
 */
export function circleWhen(startsAt: string, timeZone: string, locale?: string): WhenParts {
  const at = new Date(startsAt);
  if (Number.isNaN(at.getTime())) return { date: 'Date to be confirmed', time: '', iso: startsAt };
  const format = (zone: string | undefined): WhenParts => ({
    date: new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long', timeZone: zone }).format(at),
    time: new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit', timeZoneName: 'short', timeZone: zone }).format(at),
    iso: at.toISOString(),
  });
  try {
    return format(timeZone);
  } catch {
    return format(undefined);
  }
}

const deviceLabels: Record<Device, string> = { phone: 'phone', tablet: 'tablet', desktop: 'computer' };

/** "on phone", "on phone and computer". */
export function devicesHint(devices: readonly Device[]): string {
  const words = devices.map((d) => deviceLabels[d]);
  if (words.length === 0) return '';
  if (words.length === 1) return `on ${words[0]}`;
  return `on ${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/** The device this browser most likely is, from the width of its window. */
export function deviceForWidth(width: number): Device {
  if (width < 600) return 'phone';
  if (width < 1024) return 'tablet';
  return 'desktop';
}

export function hereCount(n: number): string {
  return `${n} here`;
}
