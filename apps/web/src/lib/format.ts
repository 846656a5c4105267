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

/** "14 May 2026, 18:30": a moment in the reader's own time zone and language. */
export function dateTime(iso: string, locale?: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric', hour: 'numeric', minute: '2-digit' }).format(at);
}

/** "31 December 2026" for a calendar date (yyyy-mm-dd), with no time zone shift. */
export function calendarDate(isoDate: string, locale?: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!match) return isoDate;
  const at = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(at);
}

/** Today's date (yyyy-mm-dd) where the reader is. */
export function todayIso(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** A date some days from today (yyyy-mm-dd), where the reader is. */
export function isoDaysFromNow(days: number, now = new Date()): string {
  const at = new Date(now.getFullYear(), now.getMonth(), now.getDate() + days);
  return todayIso(at);
}

const formatLabels = { in_person: 'In person', online: 'Online', hybrid: 'Hybrid' } as const;

export function cohortFormatLabel(format: keyof typeof formatLabels): string {
  return formatLabels[format];
}

const roleLabels = { admin: 'Clinic admin', facilitator: 'Facilitator', prescriber: 'Prescriber' } as const;

export function roleLabel(role: keyof typeof roleLabels): string {
  return roleLabels[role];
}

const consentKindLabels = { treatment: 'Consent to treatment', group_confidentiality: 'Group confidentiality agreement' } as const;

export function consentKindLabel(kind: keyof typeof consentKindLabels): string {
  return consentKindLabels[kind];
}

export type ClearanceState = 'current' | 'expired' | 'not_cleared' | 'needs_review' | 'missing';

const clearanceLabels: Record<ClearanceState, string> = {
  current: 'Cleared',
  expired: 'Clearance expired',
  not_cleared: 'Not cleared',
  needs_review: 'Needs review',
  missing: 'Not screened yet',
};

export function clearanceLabel(state: ClearanceState, validUntil?: string | null): string {
  return state === 'current' && validUntil ? `Cleared until ${calendarDate(validUntil)}` : clearanceLabels[state];
}

/** Badge tones used across readiness and clearance: fine, needs a look, missing. */
export type ReadyTone = 'ok' | 'warn' | 'missing';

export function clearanceTone(state: ClearanceState): ReadyTone {
  if (state === 'current') return 'ok';
  if (state === 'expired' || state === 'needs_review') return 'warn';
  return 'missing';
}

/** "1 person", "3 people". */
export function people(n: number): string {
  return n === 1 ? '1 person' : `${n} people`;
}

/** A time of day in the reader's own format ("6:31 AM", "18:31"); empty for an unreadable time. */
export function clockTime(iso: string, locale?: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  return new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' }).format(at);
}
