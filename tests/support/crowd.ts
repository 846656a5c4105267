import type { CircleConnection } from '@holdspace/client';
import { connectionIdFor, runOfConnection, type CircleState } from '@holdspace/domain';
import { demo, waitFor } from './harness.js';
import { member, snapshotOf, TappedSocket, type Member } from './dosing-fixture.js';

// A room full of devices: the demo cohort's staff and participants, each on several devices (a phone, a laptop, a
// tablet), spread over the cohort's circles. The restart and shutdown tests drive it through a server process.

export interface Crowd {
  circleIds: string[];
  staff: Member[];
  participants: Member[];
}

export interface Device {
  conn: CircleConnection;
  circleId: string;
  who: Member;
  role: 'facilitator' | 'participant';
}

/** Maya, Theo and the five demo participants, signed in once each, and every circle of the demo cohort. */
export async function signInCrowd(url: string): Promise<Crowd> {
  const staff = await Promise.all([member(url, demo.facilitator.email, demo.facilitator.name), member(url, demo.cofacilitator.email, demo.cofacilitator.name)]);
  const participants = await Promise.all(demo.participants.map((p) => member(url, p.email, p.displayName)));
  const circles = await staff[0]!.person.api.circles();
  if (!circles.ok || circles.data.length === 0) throw new Error('the demo has no circles');
  return { circleIds: circles.data.map((c) => c.id), staff, participants };
}

/**
 * `count` devices over the crowd's circles: in each circle both facilitators on a desktop first, then the
 * participants in turn, each on as many phones as it takes. Every device reaches the server through `url`.
 */
export function openCrowd(crowd: Crowd, count: number, options: { url: string; ackTimeoutMs?: number }): Device[] {
  const devices: Device[] = [];
  for (let i = 0; i < count; i++) {
    const circleId = crowd.circleIds[i % crowd.circleIds.length]!;
    const k = Math.floor(i / crowd.circleIds.length);
    const role = k < crowd.staff.length ? 'facilitator' : 'participant';
    const who = role === 'facilitator' ? crowd.staff[k]! : crowd.participants[(k - crowd.staff.length) % crowd.participants.length]!;
    const conn = who.person.connect(circleId, {
      url: options.url,
      device: role === 'facilitator' ? 'desktop' : 'phone',
      headers: { cookie: who.person.cookie, origin: options.url },
      ...(options.ackTimeoutMs ? { ackTimeoutMs: options.ackTimeoutMs } : {}),
    });
    devices.push({ conn, circleId, who, role });
  }
  return devices;
}

export const allLive = (devices: Device[], timeout = 30_000) =>
  waitFor(() => devices.every((d) => d.conn.status === 'live'), { timeout, message: `all ${devices.length} devices live` });

/** The connection ids a circle's state lists as present, sorted. */
export const presentConnections = (state: CircleState | null): string[] =>
  state ? Object.values(state.presence).flatMap((p) => Object.keys(p.connections)).sort() : [];

/**
 * PRS5: the presence the log holds for each circle, read by a facilitator's fresh join (a snapshot from the log).
 * The look's own connection is left out; its id names the run that answered.
 */
export async function lookAtPresence(url: string, facilitator: Member, circleIds: string[]): Promise<{ run: string; byCircle: Map<string, string[]> }> {
  const look = await TappedSocket.open(url, facilitator.person.cookie);
  try {
    const byCircle = new Map<string, string[]>();
    let run: string | null = null;
    for (const circleId of circleIds) {
      const ids = presentConnections(snapshotOf(await look.join(circleId)));
      const own = ids.filter((id) => id.endsWith(`/${look.socket.id}`));
      if (own.length !== 1) throw new Error(`the look's own connection is listed ${own.length} times`);
      run = runOfConnection(own[0]!);
      byCircle.set(circleId, ids.filter((id) => id !== own[0]));
    }
    if (!run) throw new Error('no circles looked at');
    return { run, byCircle };
  } finally {
    look.socket.disconnect();
  }
}

/** The connection ids each circle should list: one per live device, named by the run that holds it. */
export function expectedPresence(devices: Device[], nodeId: string, runId: string): Map<string, string[]> {
  const byCircle = new Map<string, string[]>();
  for (const d of devices) {
    if (!d.conn.socket.id) throw new Error('a device has no socket id');
    byCircle.set(d.circleId, [...(byCircle.get(d.circleId) ?? []), connectionIdFor(nodeId, runId, d.conn.socket.id)]);
  }
  for (const ids of byCircle.values()) ids.sort();
  return byCircle;
}

/** Per circle: how many listed, how many of them are live devices, how many are left over from elsewhere. */
export function presenceCounts(listed: Map<string, string[]>, expected: Map<string, string[]>) {
  return [...expected].map(([circleId, live]) => {
    const ids = listed.get(circleId) ?? [];
    const liveSet = new Set(live);
    return { listed: ids.length, live: ids.filter((id) => liveSet.has(id)).length, stale: ids.filter((id) => !liveSet.has(id)).length, devices: live.length };
  });
}
