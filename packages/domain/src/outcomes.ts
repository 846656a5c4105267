import { instruments, type Band, type InstrumentId } from './instruments.js';
import { bandFor } from './scoring.js';

/** A scored questionnaire response, as outcomes need it. */
export interface ScoredResponse {
  participantId: string;
  instrument: InstrumentId;
  assessmentKey: string;
  total: number;
  submittedAt: string;
}

export interface TrendPoint {
  assessmentKey: string;
  at: string;
  total: number;
  band: Band;
}

/** OUT1: one person's scores on one instrument over time, oldest first. */
export function trendOf(responses: readonly ScoredResponse[], participantId: string, instrument: InstrumentId): TrendPoint[] {
  return responses
    .filter((r) => r.participantId === participantId && r.instrument === instrument)
    .sort((a, b) => a.submittedAt.localeCompare(b.submittedAt))
    .map((r) => ({ assessmentKey: r.assessmentKey, at: r.submittedAt, total: r.total, band: bandFor(instruments[instrument], r.total) }));
}

export interface Change {
  participantId: string;
  baseline: number;
  latest: number;
  /** latest − baseline: negative is improvement. */
  change: number;
  /** OUT3: a drop of 50% or more from a baseline above 0. */
  response: boolean;
  /** OUT3: the latest total is below the instrument's remission threshold (PHQ-9 and GAD-7: below 5). */
  remission: boolean;
}

/**
 * OUT2: baseline to latest for one person: the baseline is their answer at the baseline point, the latest their most
 * recent answer after it. Null without both.
 */
export function changeOf(responses: readonly ScoredResponse[], participantId: string, instrument: InstrumentId): Change | null {
  const trend = trendOf(responses, participantId, instrument);
  const baseline = trend.find((p) => p.assessmentKey === 'baseline');
  const latest = trend.filter((p) => p.assessmentKey !== 'baseline' && p.at >= (baseline?.at ?? '')).at(-1);
  if (!baseline || !latest) return null;
  const threshold = instruments[instrument].remissionBelow;
  return {
    participantId,
    baseline: baseline.total,
    latest: latest.total,
    change: latest.total - baseline.total,
    response: baseline.total > 0 && latest.total <= baseline.total / 2,
    remission: threshold !== null && latest.total < threshold,
  };
}

export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface CohortOutcome {
  instrument: InstrumentId;
  enrolled: number;
  withBaseline: number;
  /** People with both a baseline and a later answer: the base of every figure below. */
  paired: number;
  meanBaseline: number | null;
  meanLatest: number | null;
  meanChange: number | null;
  medianChange: number | null;
  responders: number;
  /** Null when the instrument has no remission threshold. */
  remitters: number | null;
  changes: Change[];
}

/** OUT2, OUT3: a cohort's change from baseline to latest on one instrument. */
export function cohortOutcome(responses: readonly ScoredResponse[], participantIds: readonly string[], instrument: InstrumentId): CohortOutcome {
  const changes = participantIds.map((id) => changeOf(responses, id, instrument)).filter((c): c is Change => c !== null);
  const withBaseline = participantIds.filter((id) => responses.some((r) => r.participantId === id && r.instrument === instrument && r.assessmentKey === 'baseline')).length;
  return {
    instrument,
    enrolled: participantIds.length,
    withBaseline,
    paired: changes.length,
    meanBaseline: mean(changes.map((c) => c.baseline)),
    meanLatest: mean(changes.map((c) => c.latest)),
    meanChange: mean(changes.map((c) => c.change)),
    medianChange: median(changes.map((c) => c.change)),
    responders: changes.filter((c) => c.response).length,
    remitters: instruments[instrument].remissionBelow === null ? null : changes.filter((c) => c.remission).length,
    changes,
  };
}

export interface PointMean {
  assessmentKey: string;
  n: number;
  mean: number;
}

/** OUT4: a cohort's mean score at each assessment point, in the order of the schedule given. */
export function meansByPoint(responses: readonly ScoredResponse[], instrument: InstrumentId, pointKeys: readonly string[]): PointMean[] {
  return pointKeys.flatMap((key) => {
    const totals = responses.filter((r) => r.instrument === instrument && r.assessmentKey === key).map((r) => r.total);
    const m = mean(totals);
    return m === null ? [] : [{ assessmentKey: key, n: totals.length, mean: m }];
  });
}
