/**
 * Outcome questionnaires as data, shaped like FHIR R4 Questionnaire resources: the same structure renders the form,
 * scores the answers and is exported as-is. Fields beyond FHIR's (short title, bands, crisis item) are Holdspace's.
 */

export type InstrumentId = 'phq9' | 'gad7' | 'pcl5';
export const instrumentIds: readonly InstrumentId[] = ['phq9', 'gad7', 'pcl5'];
/** Every cohort gives these; PCL-5 is chosen per cohort. */
export const coreInstruments: readonly InstrumentId[] = ['phq9', 'gad7'];

export const LOINC = 'http://loinc.org';
export const ORDINAL_VALUE = 'http://hl7.org/fhir/StructureDefinition/ordinalValue';
/** PCL-5 has no LOINC answer list we rely on: its items and answers carry codes in Holdspace's own system. */
export const HOLDSPACE_PCL5 = 'urn:holdspace:fhir:pcl5';

export interface Coding {
  system: string;
  code: string;
  display: string;
}

export interface AnswerOption {
  valueCoding: Coding;
  /** The item score, as FHIR's ordinalValue extension. */
  extension: [{ url: typeof ORDINAL_VALUE; valueDecimal: number }];
}

export interface QuestionnaireItem {
  linkId: string;
  code: Coding[];
  prefix: string;
  text: string;
  type: 'choice';
  required: true;
  answerOption: AnswerOption[];
}

/** A published severity band: totals from min to max inclusive. `level` orders them, 0 the mildest. */
export interface Band {
  key: string;
  label: string;
  min: number;
  max: number;
  level: 0 | 1 | 2 | 3 | 4;
}

export interface Instrument {
  resourceType: 'Questionnaire';
  id: InstrumentId;
  url: string;
  name: string;
  title: string;
  status: 'active';
  /** The question every item answers, e.g. "Over the last 2 weeks, how often have you been bothered by…". */
  description: string;
  copyright: string;
  /** The panel's code (LOINC where there is one). */
  code: Coding[];
  item: QuestionnaireItem[];
  // ── Holdspace's additions ──
  shortTitle: string;
  /** The code of the total score, for its Observation. */
  totalCode: Coding;
  maxScore: number;
  bands: Band[];
  /** Remission is a total below this (PHQ-9 and GAD-7: 5); none for PCL-5. */
  remissionBelow: number | null;
  /** CRS1: the item whose answer above 0 reaches a clinician at once. */
  crisisItem: string | null;
}

const loinc = (code: string, display: string): Coding => ({ system: LOINC, code, display });
const option = (coding: Coding, score: number): AnswerOption => ({ valueCoding: coding, extension: [{ url: ORDINAL_VALUE, valueDecimal: score }] });

/** The PHQ and GAD answer list (LOINC LL358-3). */
const frequency: AnswerOption[] = [
  option(loinc('LA6568-5', 'Not at all'), 0),
  option(loinc('LA6569-3', 'Several days'), 1),
  option(loinc('LA6570-1', 'More than half the days'), 2),
  option(loinc('LA6571-9', 'Nearly every day'), 3),
];

const pcl5Answers: AnswerOption[] = ['Not at all', 'A little bit', 'Moderately', 'Quite a bit', 'Extremely'].map((display, score) =>
  option({ system: HOLDSPACE_PCL5, code: `answer-${score}`, display }, score),
);

const items = (list: [code: Coding, text: string][], answers: AnswerOption[]): QuestionnaireItem[] =>
  list.map(([code, text], i) => ({ linkId: code.code, code: [code], prefix: `${i + 1}.`, text, type: 'choice', required: true, answerOption: answers }));

const phq9: Instrument = {
  resourceType: 'Questionnaire',
  id: 'phq9',
  url: 'http://loinc.org/q/44249-1',
  name: 'PHQ9',
  title: 'Patient Health Questionnaire (PHQ-9)',
  shortTitle: 'PHQ-9',
  status: 'active',
  description: 'Over the last 2 weeks, how often have you been bothered by any of the following problems?',
  copyright: 'Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an educational grant from Pfizer Inc. No permission required to reproduce, translate, display or distribute.',
  code: [loinc('44249-1', 'PHQ-9 quick depression assessment panel')],
  item: items(
    [
      [loinc('44250-9', 'Little interest or pleasure in doing things'), 'Little interest or pleasure in doing things'],
      [loinc('44255-8', 'Feeling down, depressed, or hopeless'), 'Feeling down, depressed, or hopeless'],
      [loinc('44259-0', 'Trouble falling or staying asleep, or sleeping too much'), 'Trouble falling or staying asleep, or sleeping too much'],
      [loinc('44254-1', 'Feeling tired or having little energy'), 'Feeling tired or having little energy'],
      [loinc('44251-7', 'Poor appetite or overeating'), 'Poor appetite or overeating'],
      [
        loinc('44258-2', 'Feeling bad about yourself-or that you are a failure or have let yourself or your family down'),
        'Feeling bad about yourself, or that you are a failure or have let yourself or your family down',
      ],
      [
        loinc('44252-5', 'Trouble concentrating on things, such as reading the newspaper or watching television'),
        'Trouble concentrating on things, such as reading the newspaper or watching television',
      ],
      [
        loinc('44253-3', 'Moving or speaking so slowly that other people could have noticed. Or the opposite-being so fidgety or restless that you have been moving around a lot more than usual'),
        'Moving or speaking so slowly that other people could have noticed, or the opposite: being so fidgety or restless that you have been moving around a lot more than usual',
      ],
      [loinc('44260-8', 'Thoughts that you would be better off dead, or of hurting yourself in some way'), 'Thoughts that you would be better off dead, or of hurting yourself in some way'],
    ],
    frequency,
  ),
  totalCode: loinc('44261-6', 'Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]'),
  maxScore: 27,
  bands: [
    { key: 'minimal', label: 'Minimal', min: 0, max: 4, level: 0 },
    { key: 'mild', label: 'Mild', min: 5, max: 9, level: 1 },
    { key: 'moderate', label: 'Moderate', min: 10, max: 14, level: 2 },
    { key: 'moderately_severe', label: 'Moderately severe', min: 15, max: 19, level: 3 },
    { key: 'severe', label: 'Severe', min: 20, max: 27, level: 4 },
  ],
  remissionBelow: 5,
  crisisItem: '44260-8',
};

const gad7: Instrument = {
  resourceType: 'Questionnaire',
  id: 'gad7',
  url: 'http://loinc.org/q/69737-5',
  name: 'GAD7',
  title: 'Generalized Anxiety Disorder 7-item scale (GAD-7)',
  shortTitle: 'GAD-7',
  status: 'active',
  description: 'Over the last 2 weeks, how often have you been bothered by the following problems?',
  copyright: 'Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an educational grant from Pfizer Inc. No permission required to reproduce, translate, display or distribute.',
  code: [loinc('69737-5', 'Generalized anxiety disorder 7 item (GAD-7)')],
  item: items(
    [
      [loinc('69725-0', 'Feeling nervous, anxious or on edge'), 'Feeling nervous, anxious, or on edge'],
      [loinc('68509-9', 'Not being able to stop or control worrying'), 'Not being able to stop or control worrying'],
      [loinc('69733-4', 'Worrying too much about different things'), 'Worrying too much about different things'],
      [loinc('69734-2', 'Trouble relaxing'), 'Trouble relaxing'],
      [loinc('69735-9', 'Being so restless that it is hard to sit still'), 'Being so restless that it is hard to sit still'],
      [loinc('69689-8', 'Becoming easily annoyed or irritable'), 'Becoming easily annoyed or irritable'],
      [loinc('69736-7', 'Feeling afraid as if something awful might happen'), 'Feeling afraid, as if something awful might happen'],
    ],
    frequency,
  ),
  totalCode: loinc('70274-6', 'Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]'),
  maxScore: 21,
  bands: [
    { key: 'minimal', label: 'Minimal', min: 0, max: 4, level: 0 },
    { key: 'mild', label: 'Mild', min: 5, max: 9, level: 1 },
    { key: 'moderate', label: 'Moderate', min: 10, max: 14, level: 2 },
    { key: 'severe', label: 'Severe', min: 15, max: 21, level: 4 },
  ],
  remissionBelow: 5,
  crisisItem: null,
};

const pcl5Item = (n: number, text: string): [Coding, string] => [{ system: HOLDSPACE_PCL5, code: `pcl5-${n}`, display: text }, text];

const pcl5: Instrument = {
  resourceType: 'Questionnaire',
  id: 'pcl5',
  url: 'urn:holdspace:questionnaire:pcl5',
  name: 'PCL5',
  title: 'PTSD Checklist for DSM-5 (PCL-5)',
  shortTitle: 'PCL-5',
  status: 'active',
  description: 'In the past month, how much were you bothered by:',
  copyright: 'Weathers, Litz, Keane, Palmieri, Marx and Schnurr (2013), National Center for PTSD. In the public domain.',
  code: [{ system: HOLDSPACE_PCL5, code: 'pcl5', display: 'PTSD Checklist for DSM-5 (PCL-5)' }],
  item: items(
    [
      'Repeated, disturbing, and unwanted memories of the stressful experience',
      'Repeated, disturbing dreams of the stressful experience',
      'Suddenly feeling or acting as if the stressful experience were actually happening again (as if you were actually back there reliving it)',
      'Feeling very upset when something reminded you of the stressful experience',
      'Having strong physical reactions when something reminded you of the stressful experience (for example, heart pounding, trouble breathing, sweating)',
      'Avoiding memories, thoughts, or feelings related to the stressful experience',
      'Avoiding external reminders of the stressful experience (for example, people, places, conversations, activities, objects, or situations)',
      'Trouble remembering important parts of the stressful experience',
      'Having strong negative beliefs about yourself, other people, or the world (for example, having thoughts such as: I am bad, there is something seriously wrong with me, no one can be trusted, the world is completely dangerous)',
      'Blaming yourself or someone else for the stressful experience or what happened after it',
      'Having strong negative feelings such as fear, horror, anger, guilt, or shame',
      'Loss of interest in activities that you used to enjoy',
      'Feeling distant or cut off from other people',
      'Trouble experiencing positive feelings (for example, being unable to feel happiness or have loving feelings for people close to you)',
      'Irritable behavior, angry outbursts, or acting aggressively',
      'Taking too many risks or doing things that could cause you harm',
      'Being “superalert” or watchful or on guard',
      'Feeling jumpy or easily startled',
      'Having difficulty concentrating',
      'Trouble falling or staying asleep',
    ].map((text, i) => pcl5Item(i + 1, text)),
    pcl5Answers,
  ),
  totalCode: { system: HOLDSPACE_PCL5, code: 'pcl5-total', display: 'PCL-5 total score' },
  maxScore: 80,
  // The published cut-off for probable PTSD lies between 31 and 33; Holdspace uses 33.
  bands: [
    { key: 'below_cutoff', label: 'Below the PTSD cut-off', min: 0, max: 32, level: 1 },
    { key: 'probable_ptsd', label: 'Probable PTSD', min: 33, max: 80, level: 3 },
  ],
  remissionBelow: null,
  crisisItem: null,
};

export const instruments: Record<InstrumentId, Instrument> = { phq9, gad7, pcl5 };

/** The score an answer option carries. */
export const optionScore = (o: AnswerOption): number => o.extension[0].valueDecimal;
