import { error } from '@sveltejs/kit';
import { can } from '@holdspace/domain';
import { rolesOf } from '$lib/nav';
import type { LayoutLoad } from './$types';

/** Clinic administration: only for clinic admins (the server checks again on every request). */
export const load: LayoutLoad = async ({ parent }) => {
  const { me } = await parent();
  if (!can(rolesOf(me), 'staff.manage')) error(404, 'We could not find that page.');
  return {};
};
