import { describe, expect, it } from 'vitest';
import { clearedScreening } from './testing.js';
import {
  can,
  clearanceStatus,
  defaultClinicSettings,
  effectiveVitalLimits,
  permissions,
  readiness,
  validateScreening,
} from './index.js';

const today = '2026-11-22';
const complete = clearedScreening;

describe('screening', () => {
  it('SCR1: every contraindication must be answered, and an emergency contact given', () => {
    const partial = complete();
    delete (partial.contraindications as Record<string, boolean>).ketamine_allergy;
    expect(validateScreening(partial, today)).toMatchObject({ ok: false, rule: 'SCR1', message: expect.stringContaining('Ketamine allergy') });
    expect(validateScreening(complete({ emergencyContact: null }), today)).toMatchObject({ ok: false, rule: 'SCR1' });
    expect(validateScreening(complete(), today).ok).toBe(true);
  });

  it('SCR2: clearing with a contraindication needs a note; not cleared needs a reason', () => {
    const withFinding = complete({ contraindications: { ...complete().contraindications, arrhythmia: true } });
    expect(validateScreening(withFinding, today)).toMatchObject({ ok: false, rule: 'SCR2' });
    expect(validateScreening({ ...withFinding, notes: 'Cardiology consulted; stable on follow-up ECG.' }, today).ok).toBe(true);
    expect(validateScreening(complete({ decision: 'not_cleared', validUntil: null, prescription: null }), today)).toMatchObject({ ok: false, rule: 'SCR2' });
    expect(validateScreening(complete({ decision: 'not_cleared', notes: 'Uncontrolled hypertension.' }), today).ok).toBe(true);
  });

  it('SCR3: a clearance needs a future valid-until date and a dose', () => {
    expect(validateScreening(complete({ validUntil: '2026-11-21' }), today)).toMatchObject({ ok: false, rule: 'SCR3' });
    expect(validateScreening(complete({ validUntil: null }), today)).toMatchObject({ ok: false, rule: 'SCR3' });
    expect(validateScreening(complete({ prescription: null }), today)).toMatchObject({ ok: false, rule: 'SCR3' });
    expect(validateScreening(complete({ validUntil: today }), today).ok).toBe(true);
  });

  it('SCR4: a booster needs a dose and a window that starts before it ends', () => {
    const p = { doseMg: 200, route: 'sublingual_lozenge' as const };
    expect(validateScreening(complete({ prescription: { ...p, boosterDoseMg: 100 } }), today)).toMatchObject({ ok: false, rule: 'SCR4' });
    expect(validateScreening(complete({ prescription: { ...p, boosterDoseMg: 100, boosterWindowMinutes: [40, 20] } }), today)).toMatchObject({ ok: false, rule: 'SCR4' });
    expect(validateScreening(complete({ prescription: { ...p, boosterDoseMg: 100, boosterWindowMinutes: [20, 40] } }), today).ok).toBe(true);
  });

  it('SCR5: per-person limits win, missing ones fall back to the clinic', () => {
    expect(effectiveVitalLimits(defaultClinicSettings.vitalLimits, { systolicMax: 160 })).toEqual({ ...defaultClinicSettings.vitalLimits, systolicMax: 160 });
    expect(effectiveVitalLimits(defaultClinicSettings.vitalLimits, null)).toEqual(defaultClinicSettings.vitalLimits);
  });

  it('SCR6: a clearance is current until its date passes', () => {
    expect(clearanceStatus(null, today)).toBe('missing');
    expect(clearanceStatus({ decision: 'cleared', validUntil: today }, today)).toBe('current');
    expect(clearanceStatus({ decision: 'cleared', validUntil: '2026-11-21' }, today)).toBe('expired');
    expect(clearanceStatus({ decision: 'needs_review', validUntil: null }, today)).toBe('needs_review');
    expect(clearanceStatus({ decision: 'not_cleared', validUntil: null }, today)).toBe('not_cleared');
  });
});

describe('readiness', () => {
  const base = { currentConsents: { treatment: 2, group_confidentiality: 1 }, assessments: null } as const;
  it('RDY1: dosing needs current consents and a current clearance', () => {
    const ready = readiness({ ...base, signedConsents: { treatment: 2, group_confidentiality: 1 }, latestScreening: { decision: 'cleared', validUntil: '2027-01-01' } }, today);
    expect(ready.mayBeDosed).toBe(true);
    expect(ready.clearance).toEqual({ state: 'ok', label: 'Cleared until 2027-01-01' });
    expect(readiness({ ...base, signedConsents: { treatment: 2, group_confidentiality: 1 }, latestScreening: { decision: 'not_cleared', validUntil: null } }, today).mayBeDosed).toBe(false);
  });
  it('RDY2: a newer consent version must be signed again', () => {
    const r = readiness({ ...base, signedConsents: { treatment: 1, group_confidentiality: 1 }, latestScreening: { decision: 'cleared', validUntil: '2027-01-01' } }, today);
    expect(r.consent).toEqual({ state: 'warn', label: 'New consent version to sign' });
    expect(r.mayBeDosed).toBe(false);
    expect(readiness({ ...base, signedConsents: {}, latestScreening: null }, today).consent.state).toBe('missing');
  });
  it('RDY3: every badge carries words, not only a state', () => {
    const r = readiness({ ...base, signedConsents: {}, latestScreening: null }, today);
    for (const b of [r.consent, r.screening, r.clearance, r.baseline]) expect(b.label.length).toBeGreaterThan(3);
  });
});

describe('permissions', () => {
  it('POL1: only prescribers sign clearances; only admins manage staff; participants manage nothing', () => {
    expect(can(['prescriber'], 'screening.sign')).toBe(true);
    expect(can(['facilitator', 'admin'], 'screening.sign')).toBe(false);
    expect(can(['admin'], 'staff.manage')).toBe(true);
    for (const p of Object.keys(permissions) as (keyof typeof permissions)[]) expect(can(['participant'], p)).toBe(false);
  });
});
