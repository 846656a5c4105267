import { createHash } from 'node:crypto';
import type { Bundle, BundleEntry, Observation, Patient, Questionnaire, QuestionnaireResponse, Resource } from '@medplum/fhirtypes';
import { instruments, LOINC, optionScore, type CircleEvent, type Instrument, type InstrumentId } from '@holdspace/domain';
import type { ResponseRow } from '@holdspace/db';

const UCUM = 'http://unitsofmeasure.org';
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';

/** The same record always gets the same id, so a clinic importing two exports sees one resource, not two. */
function stableUuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('|')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

const urn = (id: string) => `urn:uuid:${id}`;

/** The instrument as a plain FHIR Questionnaire: Holdspace's own fields (bands, short title) left out. */
export function toQuestionnaire(instrument: Instrument): Questionnaire {
  return {
    resourceType: 'Questionnaire',
    id: instrument.id,
    url: instrument.url,
    name: instrument.name,
    title: instrument.title,
    status: instrument.status,
    description: instrument.description,
    copyright: instrument.copyright,
    code: instrument.code,
    item: instrument.item.map((i) => ({
      linkId: i.linkId,
      code: i.code,
      prefix: i.prefix,
      text: i.text,
      type: i.type,
      required: i.required,
      answerOption: i.answerOption.map((o) => ({ valueCoding: o.valueCoding, extension: o.extension })),
    })),
  };
}

export interface FhirExportInput {
  participant: { id: string; name: string; email: string };
  responses: ResponseRow[];
  /** The circle events holding this person's vitals (other events are ignored). */
  events: CircleEvent[];
  exportedAt: Date;
}

/**
 * A FHIR R4 collection Bundle for one person: the Patient, the Questionnaires used, each QuestionnaireResponse, an
 * Observation of each total score (LOINC where the instrument has codes) and the vital signs recorded in circles.
 */
export function fhirBundle(input: FhirExportInput): Bundle {
  const patientId = input.participant.id;
  const subject = { reference: urn(patientId), display: input.participant.name };
  const patient: Patient = {
    resourceType: 'Patient',
    id: patientId,
    name: [{ text: input.participant.name }],
    telecom: [{ system: 'email', value: input.participant.email }],
  };

  const used = [...new Set(input.responses.map((r) => r.instrument))] as InstrumentId[];
  const questionnaires = used.map((id) => toQuestionnaire(instruments[id]));

  const scores = input.responses.flatMap((r): Resource[] => {
    const instrument = instruments[r.instrument];
    const authored = r.submittedAt.toISOString();
    const response: QuestionnaireResponse = {
      resourceType: 'QuestionnaireResponse',
      id: r.id,
      questionnaire: instrument.url,
      status: 'completed',
      subject,
      authored,
      item: instrument.item.map((item) => {
        const chosen = item.answerOption.find((o) => optionScore(o) === r.answers[item.linkId]);
        return { linkId: item.linkId, text: item.text, answer: chosen ? [{ valueCoding: chosen.valueCoding }] : [] };
      }),
    };
    const band = instrument.bands.find((b) => b.key === r.band);
    const total: Observation = {
      resourceType: 'Observation',
      id: stableUuid(r.id, 'total'),
      status: 'final',
      category: [{ coding: [{ system: CATEGORY, code: 'survey', display: 'Survey' }] }],
      code: { coding: [instrument.totalCode], text: `${instrument.shortTitle} total score` },
      subject,
      effectiveDateTime: authored,
      issued: authored,
      valueInteger: r.total,
      ...(band ? { interpretation: [{ text: `${band.label} (${band.min}-${band.max})` }] } : {}),
      derivedFrom: [{ reference: urn(r.id) }],
    };
    return [response, total];
  });

  const vitals = input.events.flatMap((e): Observation[] => {
    if (e.type !== 'vitals.recorded' || e.payload.personId !== patientId) return [];
    const at = e.at;
    const base = {
      resourceType: 'Observation' as const,
      status: 'final' as const,
      category: [{ coding: [{ system: CATEGORY, code: 'vital-signs', display: 'Vital Signs' }] }],
      subject,
      effectiveDateTime: at,
    };
    const quantity = (value: number, unit: string, code: string) => ({ value, unit, system: UCUM, code });
    const list: Observation[] = [
      {
        ...base,
        id: stableUuid(e.circleId, String(e.seq), 'bp'),
        code: { coding: [{ system: LOINC, code: '85354-9', display: 'Blood pressure panel with all children optional' }], text: 'Blood pressure' },
        component: [
          { code: { coding: [{ system: LOINC, code: '8480-6', display: 'Systolic blood pressure' }] }, valueQuantity: quantity(e.payload.systolic, 'mmHg', 'mm[Hg]') },
          { code: { coding: [{ system: LOINC, code: '8462-4', display: 'Diastolic blood pressure' }] }, valueQuantity: quantity(e.payload.diastolic, 'mmHg', 'mm[Hg]') },
        ],
      },
      {
        ...base,
        id: stableUuid(e.circleId, String(e.seq), 'hr'),
        code: { coding: [{ system: LOINC, code: '8867-4', display: 'Heart rate' }], text: 'Heart rate' },
        valueQuantity: quantity(e.payload.heartRate, 'beats/minute', '/min'),
      },
    ];
    if (e.payload.spo2 !== undefined) {
      list.push({
        ...base,
        id: stableUuid(e.circleId, String(e.seq), 'spo2'),
        code: { coding: [{ system: LOINC, code: '59408-5', display: 'Oxygen saturation in Arterial blood by Pulse oximetry' }], text: 'SpO2' },
        valueQuantity: quantity(e.payload.spo2, '%', '%'),
      });
    }
    return list;
  });

  const entry = (resource: Resource): BundleEntry => ({ fullUrl: urn(resource.resourceType === 'Questionnaire' ? stableUuid('questionnaire', resource.id ?? '') : (resource.id ?? '')), resource });
  return {
    resourceType: 'Bundle',
    id: stableUuid('bundle', patientId, input.exportedAt.toISOString()),
    type: 'collection',
    timestamp: input.exportedAt.toISOString(),
    entry: [patient, ...questionnaires, ...scores, ...vitals].map(entry),
  };
}
