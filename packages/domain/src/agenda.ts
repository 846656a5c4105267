/** What a circle is for: each kind has its own default agenda. */
export type CircleKind = 'preparation' | 'dosing' | 'integration' | 'follow_up';

export type SegmentKind =
  | 'arrival'
  | 'baseline'
  | 'intention'
  | 'dosing'
  | 'journey'
  | 'return'
  | 'sharing'
  | 'readiness'
  | 'teaching'
  | 'practice'
  | 'close'
  | 'other';

export const segmentKinds: readonly SegmentKind[] = [
  'arrival',
  'baseline',
  'intention',
  'dosing',
  'journey',
  'return',
  'sharing',
  'readiness',
  'teaching',
  'practice',
  'close',
  'other',
];

export interface Segment {
  id: string;
  kind: SegmentKind;
  title: string;
  /** Planned length, for the facilitator's pacing; nothing moves on by itself. */
  minutes: number;
}

const seg = (kind: SegmentKind, title: string, minutes: number, n: number): Segment => ({ id: `s${n}`, kind, title, minutes });

const plans: Record<CircleKind, [SegmentKind, string, number][]> = {
  dosing: [
    ['arrival', 'Arrival and check-in', 15],
    ['baseline', 'Baseline vitals and pre-dose checks', 15],
    ['intention', 'Intention round', 15],
    ['dosing', 'Dosing', 10],
    ['journey', 'Journey', 60],
    ['return', 'Return and grounding', 20],
    ['sharing', 'Sharing round', 30],
    ['readiness', 'Readiness to leave', 15],
    ['close', 'Close', 5],
  ],
  preparation: [
    ['arrival', 'Arrival and check-in', 10],
    ['teaching', 'What to expect', 25],
    ['intention', 'Intentions', 25],
    ['practice', 'Grounding practice', 20],
    ['sharing', 'Sharing round', 25],
    ['close', 'Close', 5],
  ],
  integration: [
    ['arrival', 'Arrival and check-in', 10],
    ['sharing', 'Sharing round', 45],
    ['practice', 'Integration practice', 25],
    ['close', 'Close', 10],
  ],
  follow_up: [
    ['arrival', 'Arrival and check-in', 10],
    ['sharing', 'Sharing round', 40],
    ['close', 'Close', 10],
  ],
};

/** AGD1: the agenda a circle of this kind starts with; the facilitator may edit it before the session starts. */
export function defaultAgenda(kind: CircleKind): Segment[] {
  return plans[kind].map(([k, title, minutes], i) => seg(k, title, minutes, i + 1));
}

/** Segments during which participants' screens turn to the dark, quiet journey mode. */
export const quietSegments: readonly SegmentKind[] = ['journey'];
