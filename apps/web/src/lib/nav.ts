import type { Pathname } from '$app/types';
import { can, type ClinicRole } from '@holdspace/domain';
import type { Me } from '@holdspace/protocol';

/** The pages the main navigation links to: a short list, so resolve() can check each link. */
export type NavHref = Extract<
  Pathname,
  | '/circles'
  | '/questionnaires'
  | '/journal'
  | '/consents'
  | '/alerts'
  | '/screening'
  | '/admin/cohorts'
  | '/admin/outcomes'
  | '/admin/participants'
  | '/admin/staff'
  | '/admin/consents'
  | '/admin/settings'
  | '/admin/audit'
  | '/admin/outbox'
  | '/cohorts'
  | '/account'
>;

export interface NavLink {
  href: NavHref;
  label: string;
}

/** Everything a person may do in their clinic, as roles the policy table knows. */
export function rolesOf(me: Me): ClinicRole[] {
  return me.kind === 'participant' ? ['participant'] : [...me.roles];
}

/** The main navigation: only the pages this person's roles open. */
export function navFor(me: Me): NavLink[] {
  const roles = rolesOf(me);
  const links: NavLink[] = [];
  if (me.kind === 'participant' || me.roles.includes('facilitator')) links.push({ href: '/circles', label: 'Circles' });
  if (me.kind === 'participant') {
    links.push({ href: '/questionnaires', label: 'Questionnaires' }, { href: '/journal', label: 'Journal' }, { href: '/consents', label: 'Consents' });
  }
  if (can(roles, 'safety.view')) links.push({ href: '/alerts', label: 'Safety alerts' });
  if (can(roles, 'screening.view')) links.push({ href: '/screening', label: 'Screening' });
  if (can(roles, 'cohorts.manage')) {
    links.push(
      { href: '/admin/cohorts', label: 'Cohorts' },
      { href: '/admin/outcomes', label: 'Outcomes' },
      { href: '/admin/participants', label: 'Participants' },
      { href: '/admin/staff', label: 'Staff' },
      { href: '/admin/consents', label: 'Consent texts' },
      { href: '/admin/settings', label: 'Settings' },
      { href: '/admin/audit', label: 'Audit trail' },
      { href: '/admin/outbox', label: 'Outbox' },
    );
  } else if (can(roles, 'roster.view')) {
    links.push({ href: '/cohorts', label: 'Cohorts' });
  }
  links.push({ href: '/account', label: 'Account' });
  return links;
}

/** A link is current on its own page and on the pages below it. */
export function isCurrent(link: NavLink, pathname: string): boolean {
  return pathname === link.href || pathname.startsWith(`${link.href}/`);
}
