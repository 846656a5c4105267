import type { RoundPlan } from './rounds.js';

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
  /** A sharing round this segment holds, ready for the facilitator to start (RND6). */
  round?: RoundPlan | undefined;
}

const seg = (kind: SegmentKind, title: string, minutes: number, n: number, round?: RoundPlan): Segment => ({
  id: `s${n}`,
  kind,
  title,
  minutes,
  ...(round ? { round } : {}),
});

const intentionRound: RoundPlan = {
  mode: 'go_around',
  prompt: 'What are your intentions for this work? What would you like clarity about?',
  timeBoxMinutes: 3,
};
const integrationRound: RoundPlan = {
  mode: 'go_around',
  prompt: 'What has stayed with you since the journey, and what would you like to carry into daily life?',
  timeBoxMinutes: 4,
};
const openSharing: RoundPlan = { mode: 'open_floor', prompt: 'Share what feels right to share from today.', timeBoxMinutes: 3 };

const plans: Record<CircleKind, [SegmentKind, string, number, RoundPlan?][]> = {
  dosing: [
    ['arrival', 'Arrival and check-in', 15],
    ['baseline', 'Baseline vitals and pre-dose checks', 15],
    ['intention', 'Intention round', 15, intentionRound],
    ['dosing', 'Dosing', 10],
    ['journey', 'Journey', 60],
    ['return', 'Return and grounding', 20],
    ['sharing', 'Sharing round', 30, openSharing],
    ['readiness', 'Readiness to leave', 15],
    ['close', 'Close', 5],
  ],
  preparation: [
    ['arrival', 'Arrival and check-in', 10],
    ['teaching', 'What to expect', 25],
    ['intention', 'Intention round', 25, intentionRound],
    ['practice', 'Grounding practice', 20],
    ['sharing', 'Sharing round', 25, openSharing],
    ['close', 'Close', 5],
  ],
  integration: [
    ['arrival', 'Arrival and check-in', 10],
    ['sharing', 'Integration round', 45, integrationRound],
    ['practice', 'Integration practice', 25],
    ['close', 'Close', 10],
  ],
  follow_up: [
    ['arrival', 'Arrival and check-in', 10],
    ['sharing', 'Sharing round', 40, openSharing],
    ['close', 'Close', 10],
  ],
};

/** AGD1: the agenda a circle of this kind starts with; the facilitator may edit it before the session starts. */
export function defaultAgenda(kind: CircleKind): Segment[] {
  return plans[kind].map(([k, title, minutes, round], i) => seg(k, title, minutes, i + 1, round));
}

/** Segments during which participants' screens turn to the dark, quiet journey mode. */
export const quietSegments: readonly SegmentKind[] = ['journey'];
