import { describe, expect, it } from 'vitest';
import { circleRole, maySeeScreening, screeningReach, type PersonStanding } from './policy.js';

const staff = (...roles: string[]): PersonStanding => ({ kind: 'staff', roles });
const participant: PersonStanding = { kind: 'participant', roles: [] };
const relations = [
  { facilitates: true, enrolled: false },
  { facilitates: false, enrolled: true },
  { facilitates: false, enrolled: false },
];

describe('circle membership', () => {
  it('POL2: a facilitator row counts only with the facilitator role held today', () => {
    expect(circleRole(staff('facilitator'), relations[0]!)).toBe('facilitator');
    expect(circleRole(staff('facilitator', 'admin'), relations[0]!)).toBe('facilitator');
    expect(circleRole(staff(), relations[0]!)).toBeNull();
    expect(circleRole(staff('prescriber', 'admin'), relations[0]!)).toBeNull();
    expect(circleRole(staff('facilitator'), relations[2]!)).toBeNull();
  });

  it('POL2: a participant belongs while enrolled; staff never join as participants', () => {
    expect(circleRole(participant, relations[1]!)).toBe('participant');
    expect(circleRole(participant, relations[0]!)).toBeNull();
    expect(circleRole(participant, relations[2]!)).toBeNull();
    expect(circleRole(staff('facilitator'), relations[1]!)).toBeNull();
  });
});

describe('screening need-to-know', () => {
  it('POL3: prescribers see the clinic, facilitators their cohorts, admins and participants nothing', () => {
    expect(screeningReach(staff('prescriber'))).toBe('clinic');
    expect(screeningReach(staff('facilitator', 'prescriber'))).toBe('clinic');
    expect(screeningReach(staff('facilitator'))).toBe('facilitated');
    expect(screeningReach(staff('admin'))).toBe('none');
    expect(screeningReach(staff())).toBe('none');
    expect(screeningReach({ kind: 'participant', roles: ['prescriber'] })).toBe('none');
    for (const inFacilitatedCohort of [true, false]) {
      expect(maySeeScreening(staff('prescriber'), { inFacilitatedCohort })).toBe(true);
      expect(maySeeScreening(staff('facilitator'), { inFacilitatedCohort })).toBe(inFacilitatedCohort);
      expect(maySeeScreening(staff('admin'), { inFacilitatedCohort })).toBe(false);
      expect(maySeeScreening(participant, { inFacilitatedCohort })).toBe(false);
    }
  });
});
