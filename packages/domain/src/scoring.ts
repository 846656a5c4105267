import { instruments, optionScore, type Band, type Instrument, type InstrumentId } from './instruments.js';
import { allow, refuse, type Decision } from './result.js';

/** A participant's answers: each item's linkId and the score of the option chosen. */
export type Answers = Record<string, number>;

export interface Score {
  instrument: InstrumentId;
  total: number;
  band: Band;
  /** CRS1: the crisis item was answered above 0. */
  crisis: boolean;
  /** The crisis item's answer, when the instrument has one. */
  crisisAnswer: number | null;
}

/** QST1, QST2: every item answered, with one of its own options, and nothing else. */
export function checkAnswers(instrument: Instrument, answers: Answers): Decision<Answers> {
  const known = new Set(instrument.item.map((i) => i.linkId));
  const unknown = Object.keys(answers).filter((k) => !known.has(k));
  if (unknown.length > 0) return refuse('QST2', `${instrument.shortTitle} has no question ${unknown[0]}.`);
  const missing = instrument.item.filter((i) => answers[i.linkId] === undefined);
  if (missing.length > 0) {
    const first = missing[0]!;
    return refuse('QST1', `Please answer every question (${missing.length === 1 ? `question ${first.prefix.replace('.', '')} is` : `${missing.length} questions are`} still open).`);
  }
  for (const item of instrument.item) {
    const value = answers[item.linkId]!;
    if (!item.answerOption.some((o) => optionScore(o) === value)) return refuse('QST2', `Question ${item.prefix.replace('.', '')} has no answer ${value}.`);
  }
  return allow(Object.fromEntries(instrument.item.map((i) => [i.linkId, answers[i.linkId]!])));
}

/** QST3: the band a total falls in, by the instrument's published cut-offs. */
export function bandFor(instrument: Instrument, total: number): Band {
  const band = instrument.bands.find((b) => total >= b.min && total <= b.max);
  if (!band) throw new RangeError(`${instrument.shortTitle} total ${total} is outside 0-${instrument.maxScore}`);
  return band;
}

/** QST3, CRS1: the total (the sum of the item scores), its band, and whether it needs a clinician now. */
export function scoreAnswers(instrumentId: InstrumentId, answers: Answers): Score {
  const instrument = instruments[instrumentId];
  const total = instrument.item.reduce((sum, i) => sum + (answers[i.linkId] ?? 0), 0);
  const crisisAnswer = instrument.crisisItem ? (answers[instrument.crisisItem] ?? 0) : null;
  return { instrument: instrumentId, total, band: bandFor(instrument, total), crisis: crisisAnswer !== null && crisisAnswer > 0, crisisAnswer };
}

/** The words of the option chosen for an item: "Several days". */
export function answerLabel(instrumentId: InstrumentId, linkId: string, value: number): string {
  const item = instruments[instrumentId].item.find((i) => i.linkId === linkId);
  return item?.answerOption.find((o) => optionScore(o) === value)?.valueCoding.display ?? String(value);
}
