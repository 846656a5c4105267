import type { CircleEvent } from './circle.js';

export type AttendanceStatus = 'attended' | 'arrived' | 'absent' | 'not_held';

export interface Attendance {
  personId: string;
  /** attended: let into the circle; arrived: came to the lobby but was not let in; absent: never came. */
  status: AttendanceStatus;
  firstArrivedAt: string | null;
  admittedAt: string | null;
  /** Minutes with at least one device connected, while the circle was open or in session. */
  minutesPresent: number;
  dosed: boolean;
  discharged: boolean;
}

/**
 * ATT1-ATT2: who came to a circle, derived from its event log alone. Time present counts while the person holds at
 * least one connection (several devices count once) and stops when the circle closes, or at `until` for one still
 * under way. A circle that never opened was not held.
 */
export function attendanceFrom(events: readonly CircleEvent[], participantIds: readonly string[], until: string): Attendance[] {
  const ordered = [...events].sort((a, b) => a.seq - b.seq);
  const opened = ordered.some((e) => e.type === 'circle.opened');
  const closedAt = ordered.find((e) => e.type === 'circle.closed')?.at ?? null;
  const end = closedAt ?? until;

  return participantIds.map((personId) => {
    const connections = new Set<string>();
    let since: string | null = null;
    let ms = 0;
    let firstArrivedAt: string | null = null;
    let admittedAt: string | null = null;
    let dosed = false;
    let discharged = false;
    for (const e of ordered) {
      if (e.type === 'circle.closed') {
        if (since) ms += Date.parse(e.at) - Date.parse(since);
        since = null;
        connections.clear();
        continue;
      }
      if (!('personId' in e.payload) || e.payload.personId !== personId) continue;
      switch (e.type) {
        case 'presence.joined':
          firstArrivedAt ??= e.at;
          if (connections.size === 0) since = e.at;
          connections.add(e.payload.connectionId);
          break;
        case 'presence.left':
          if (!connections.delete(e.payload.connectionId)) break;
          if (connections.size === 0 && since) {
            ms += Date.parse(e.at) - Date.parse(since);
            since = null;
          }
          break;
        case 'participant.admitted':
          admittedAt ??= e.at;
          break;
        case 'dose.recorded':
          dosed = true;
          break;
        case 'participant.discharged':
          discharged = true;
          break;
        default:
          break;
      }
    }
    if (since) ms += Math.max(0, Date.parse(end) - Date.parse(since));
    const status: AttendanceStatus = !opened ? 'not_held' : admittedAt ? 'attended' : firstArrivedAt ? 'arrived' : 'absent';
    return { personId, status, firstArrivedAt, admittedAt, minutesPresent: Math.round(ms / 60_000), dosed, discharged };
  });
}
