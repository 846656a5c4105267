import { segmentKinds } from './agenda.js';
import { visibleLength } from './text.js';
import { personAudience, type Audience } from './audience.js';
import { boosterDue, careAfterClose, gateFor, offSchedule, readinessToLeave, underCare, vitalsOutOfRange } from './care.js';
import {
  describe,
  recordOf,
  type CircleCommand,
  type CircleEventPayloads,
  type CircleEventType,
  type CircleState,
  type NewEvent,
} from './circle.js';
import { defaultAgenda } from './agenda.js';
import { decideRound, decideShare } from './decide-sharing.js';
import type { CircleActor } from './people.js';
import { isStaff } from './people.js';
import { allow, refuse, type Decision } from './result.js';

const ev = <K extends CircleEventType>(type: K, payload: CircleEventPayloads[K], audience: Audience): NewEvent =>
  ({ type, payload, audience }) as NewEvent;

const MIN_REASON = 10;
const live = (s: CircleState) => s.status === 'open' || s.status === 'in_session';
/** Deep equality that ignores key order (a state read back from jsonb has its keys reordered). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * decide(state, command, actor, now): the events a command produces, or the rule that refuses it.
 * Pure: the same inputs always give the same answer. `now` is the time the log will stamp on the events.
 */
export function decide(state: CircleState, command: CircleCommand, actor: CircleActor, now: string): Decision<NewEvent[]> {
  const staffOnly = (what: string) => refuse('CIR1', `Only a facilitator of this circle can ${what}.`);
  const self = personAudience(actor.personId);

  switch (command.type) {
    // ── lifecycle and agenda ──────────────────────────────────────────────────────────────────────────────────
    case 'circle.open':
      if (!isStaff(actor)) return staffOnly('open it');
      if (state.status !== 'scheduled') return refuse('CIR2', `The circle is ${describe(state.status)} and cannot be opened again.`);
      {
        const off = offSchedule(state, now);
        if (off && !command.offSchedule) return refuse('CIR5', `This circle is scheduled to start ${off.words}. Confirm to open it now anyway.`);
      }
      return allow([ev('circle.opened', {}, 'all')]);

    case 'circle.start':
      if (!isStaff(actor)) return staffOnly('start the session');
      if (state.status !== 'open') return refuse('CIR2', state.status === 'scheduled' ? 'Open the circle before starting the session.' : `The circle is ${describe(state.status)}.`);
      return allow([ev('circle.started', {}, 'all')]);

    case 'circle.close': {
      if (!isStaff(actor)) return staffOnly('close it');
      if (state.status === 'closed') return refuse('CIR2', 'The circle is already closed.');
      const reason = command.reason?.trim() ?? '';
      const stillHere = Object.values(state.people).filter((r) => r.dose && !r.discharge);
      if (stillHere.length > 0 && visibleLength(reason) < MIN_REASON) {
        const names = stillHere.map((r) => state.roster[r.personId]?.displayName ?? 'someone').join(', ');
        return refuse('CIR4', `${names} ${stillHere.length === 1 ? 'was' : 'were'} dosed and not discharged: write why you are closing anyway (at least ${MIN_REASON} characters).`);
      }
      // RND5: a round still under way ends with the circle, and its summary is kept.
      const roundEnd = state.round ? decideRound(state, { type: 'round.end' }, actor, now) : null;
      return allow([
        ...(roundEnd?.ok ? roundEnd.value : []),
        ev('circle.closed', {}, 'all'),
        ...(reason ? [ev('circle.closeNoted', { reason }, 'staff')] : []),
        // CARE1: a closed circle is not an end of care.
        ...careAfterClose(state, now).map((c) => ev('care.continued', c, personAudience(c.personId))),
      ]);
    }

    case 'agenda.edit': {
      if (!isStaff(actor)) return staffOnly('edit the agenda');
      if (state.status === 'in_session' || state.status === 'closed') return refuse('AGD1', 'The agenda can be edited only before the session starts.');
      const agenda = command.agenda;
      if (agenda.length === 0) return refuse('AGD2', 'An agenda needs at least one segment.');
      if (new Set(agenda.map((s) => s.id)).size !== agenda.length) return refuse('AGD2', 'Each segment needs its own id.');
      if (agenda.some((s) => !segmentKinds.includes(s.kind) || visibleLength(s.title) === 0)) return refuse('AGD2', 'Each segment needs a kind and a title.');
      return allow([ev('agenda.set', { kind: state.kind ?? 'dosing', agenda }, 'all')]);
    }

    case 'segment.goto':
      if (!isStaff(actor)) return staffOnly('move the circle on');
      if (!live(state)) return refuse('AGD3', 'Open the circle before moving between segments.');
      if (!Number.isInteger(command.index) || command.index < 0 || command.index >= state.agenda.length) return refuse('AGD3', 'There is no such segment.');
      if (command.index === state.segment) return allow([]);
      return allow([ev('segment.changed', { index: command.index }, 'all')]);

    case 'hold.start':
      if (!isStaff(actor)) return staffOnly('put the circle on hold');
      if (!live(state)) return refuse('HLD1', 'Only an open circle can be put on hold.');
      if (state.hold) return allow([]);
      return allow([ev('hold.started', { message: command.message?.trim() || 'Take a breath. We will continue shortly.' }, 'all')]);

    case 'hold.end':
      if (!isStaff(actor)) return staffOnly('end the hold');
      return allow(state.hold ? [ev('hold.ended', {}, 'all')] : []);

    case 'roster.sync': {
      const events: NewEvent[] = [];
      if (state.agenda.length === 0) events.push(ev('agenda.set', { kind: command.kind, agenda: defaultAgenda(command.kind) }, 'all'));
      if (!sameValue(state.roster, command.roster) || !sameValue(state.settings, command.settings)) {
        events.push(ev('roster.synced', { roster: command.roster, settings: command.settings }, 'staff'));
      }
      return allow(events);
    }

    case 'alert.crisis':
      // CRS2: only a circle under way has a dashboard to show it on; the clinic's own alert list always has it.
      if (!live(state) || !state.roster[command.personId]) return allow([]);
      return allow([ev('alert.raised', { personId: command.personId, kind: 'crisis', urgency: 1, detail: command.detail, safetyAlertId: command.safetyAlertId }, 'staff')]);

    case 'alert.crisisAck':
      // ALR3: the clinic's one acknowledgement of a crisis, with what was done, closes its copy on every dashboard.
      return allow(
        Object.values(state.alerts)
          .filter((a) => a.safetyAlertId === command.safetyAlertId && !a.ackedAt)
          .map((a) => ev('alert.acknowledged', { alertId: a.id, note: command.note }, 'staff')),
      );

    case 'participant.admit': {
      if (!isStaff(actor)) return staffOnly('admit people');
      if (!live(state)) return refuse('ADM1', 'Open the circle before admitting people.');
      const entry = state.roster[command.personId];
      if (!entry) return refuse('ROS1', 'That person is not a participant of this circle.');
      if (state.admitted[command.personId]) return allow([]);
      return allow([ev('participant.admitted', { personId: command.personId, displayName: entry.displayName }, 'all')]);
    }

    // ── presence ───────────────────────────────────────────────────────────────────────────────────────────────
    case 'presence.join': {
      if (state.status === 'closed') return refuse('PRS2', 'This circle has ended.');
      if (state.presence[actor.personId]?.connections[command.connectionId]) return allow([]);
      const { personId, displayName, role } = actor;
      return allow([ev('presence.joined', { personId, displayName, role, connectionId: command.connectionId, device: command.device }, 'all')]);
    }

    case 'presence.leave':
      if (!state.presence[actor.personId]?.connections[command.connectionId]) return allow([]);
      return allow([ev('presence.left', { personId: actor.personId, connectionId: command.connectionId }, 'all')]);

    case 'presence.end':
      // PRS5, PRS4: only connections still present, each once.
      return allow(
        [...new Map(command.connections.map((c) => [c.connectionId, c])).values()]
          .filter((c) => state.presence[c.personId]?.connections[c.connectionId])
          .map((c) => ev('presence.left', { personId: c.personId, connectionId: c.connectionId }, 'all')),
      );

    // ── participants' own check-ins (CHK1-CHK3) ────────────────────────────────────────────────────────────────
    case 'checkin.arrival':
    case 'checkin.predose':
    case 'checkin.journey':
    case 'checkin.after': {
      if (actor.role !== 'participant') return refuse('CHK1', 'Check-ins are made by each participant from their own device.');
      if (state.status === 'closed' && command.type === 'checkin.journey' && command.signal === 'support') {
        // CARE2: after the close, only someone still under care calls for help; it reaches staff wherever they are.
        if (!underCare(state, actor.personId, now)) {
          return refuse('CARE2', 'This circle has ended. If you need help now, call your clinic or one of the crisis lines.');
        }
        return allow([
          ev('checkin.journey', { personId: actor.personId, signal: 'support' }, self),
          ev('alert.raised', { personId: actor.personId, kind: 'support', urgency: 1, detail: 'Asked for support after the circle closed', afterClose: true }, 'staff'),
        ]);
      }
      if (!live(state)) return refuse('CHK2', state.status === 'closed' ? 'This circle has ended.' : 'The circle is not open yet.');
      if (command.type !== 'checkin.arrival' && !state.admitted[actor.personId]) {
        return refuse('CHK3', 'Your facilitator will let you in shortly; until then only the arrival check-in is open.');
      }
      const personId = actor.personId;
      if (command.type === 'checkin.journey') {
        const events = [ev('checkin.journey', { personId, signal: command.signal }, self)];
        // SUP1: a call for support or a break reaches every facilitator and stays until acknowledged.
        if (command.signal === 'support') events.push(ev('alert.raised', { personId, kind: 'support', urgency: 1, detail: 'Asked for support' }, 'staff'));
        if (command.signal === 'break') events.push(ev('alert.raised', { personId, kind: 'break', urgency: 2, detail: 'Asked for a break' }, 'staff'));
        return allow(events);
      }
      const { type, ...body } = command;
      return allow([ev(type, { personId, ...body } as never, self)]);
    }

    // ── dosing safety ──────────────────────────────────────────────────────────────────────────────────────────
    case 'gate.override': {
      if (!isStaff(actor)) return staffOnly('override a pre-dose check');
      if (!state.roster[command.personId]) return refuse('ROS1', 'That person is not a participant of this circle.');
      if (command.item === 'clearance') return refuse('GATE1', 'Prescriber clearance can never be overridden.');
      if (command.item === 'consent') return refuse('GATE2', 'Signed consent can never be overridden.');
      if (visibleLength(command.reason) < MIN_REASON) return refuse('GATE7', `Write why you are overriding this check (at least ${MIN_REASON} characters).`);
      if (recordOf(state, command.personId).dose) return refuse('DOSE3', 'This person has already been dosed.');
      return allow([ev('gate.overridden', { personId: command.personId, item: command.item, reason: command.reason.trim() }, 'staff')]);
    }

    case 'dose.record': {
      if (!isStaff(actor)) return staffOnly('record a dose');
      const entry = state.roster[command.personId];
      if (!entry) return refuse('ROS1', 'That person is not a participant of this circle.');
      if (state.status !== 'in_session') return refuse('DOSE1', 'Doses are recorded only while the circle is in session.');
      if (!state.admitted[command.personId]) return refuse('DOSE1', `${entry.displayName} has not been admitted to the circle.`);
      if (recordOf(state, command.personId).dose) return refuse('DOSE3', `${entry.displayName} has already been dosed.`);
      if (recordOf(state, command.personId).discharge) return refuse('DOSE1', `${entry.displayName} has been discharged.`);
      if (recordOf(state, command.personId).withheld) return refuse('DOSE4', `${entry.displayName} is marked not to be dosed today.`);
      const gate = gateFor(state, command.personId, now);
      const blocking = gate.items.filter((i) => !i.met && !i.override);
      if (blocking.length > 0) {
        return refuse(blocking[0]!.rule, `Not yet: ${blocking.map((i) => `${i.label.toLowerCase()} (${i.detail})`).join('; ')}.`);
      }
      if (entry.clinical.doseMg !== command.doseMg) return refuse('DOSE2', `The prescribed dose is ${entry.clinical.doseMg} mg.`);
      return allow([ev('dose.recorded', { personId: command.personId, doseMg: command.doseMg }, personAudience(command.personId))]);
    }

    case 'dose.withhold': {
      if (!isStaff(actor)) return staffOnly('decide who is dosed');
      if (!state.roster[command.personId]) return refuse('ROS1', 'That person is not a participant of this circle.');
      if (!live(state)) return refuse('DOSE4', 'This is decided while the circle is open.');
      const r = recordOf(state, command.personId);
      if (r.dose) return refuse('DOSE3', 'This person has already been dosed.');
      if (Boolean(r.withheld) === command.withheld) return allow([]);
      return allow([ev('dose.withheld', { personId: command.personId, withheld: command.withheld }, personAudience(command.personId))]);
    }

    case 'booster.record': {
      if (!isStaff(actor)) return staffOnly('record a booster');
      const entry = state.roster[command.personId];
      if (!entry) return refuse('ROS1', 'That person is not a participant of this circle.');
      const r = recordOf(state, command.personId);
      const c = entry.clinical;
      if (!r.dose) return refuse('BST1', 'A booster follows a recorded first dose.');
      if (r.booster) return refuse('BST1', 'A booster has already been recorded.');
      if (!c.boosterDoseMg || !c.boosterWindowMinutes) return refuse('BST2', 'No booster is prescribed for this person.');
      if (r.discharge || state.status !== 'in_session') return refuse('BST1', 'A booster is given only during the session.');
      const due = boosterDue(state, command.personId, now);
      if (due?.state !== 'open') {
        const elapsed = Math.floor((Date.parse(now) - Date.parse(r.dose.at)) / 60_000);
        const [from, to] = c.boosterWindowMinutes;
        return refuse('BST3', `The booster window is ${from}-${to} min after the first dose; it is now ${elapsed} min.`);
      }
      if (command.doseMg !== c.boosterDoseMg) return refuse('DOSE2', `The prescribed booster is ${c.boosterDoseMg} mg.`);
      return allow([ev('booster.recorded', { personId: command.personId, doseMg: command.doseMg }, personAudience(command.personId))]);
    }

    case 'vitals.record': {
      const { type: _t, personId, ...reading } = command;
      // VIT1: staff record anyone's vitals; in a remote circle a participant (or their chaperone) records their own.
      if (!isStaff(actor) && personId !== actor.personId) return refuse('VIT1', 'You can only record your own vital signs.');
      if (!live(state)) return refuse('VIT1', 'Vitals are recorded while the circle is open.');
      const entry = state.roster[personId];
      if (isStaff(actor) && !entry) return refuse('ROS1', 'That person is not a participant of this circle.');
      if (reading.diastolic >= reading.systolic) return refuse('VIT4', 'Diastolic pressure must be lower than systolic.');
      const events = [ev('vitals.recorded', { personId, ...reading }, personAudience(personId))];
      const out = entry ? vitalsOutOfRange(reading, entry.clinical.limits) : [];
      // VIT2: a reading outside that person's limits raises an alert at once.
      if (out.length > 0) events.push(ev('alert.raised', { personId, kind: 'vitals', urgency: 1, detail: `Vitals out of range: ${out.join('; ')}` }, 'staff'));
      return allow(events);
    }

    case 'observation.seen':
      if (!isStaff(actor)) return staffOnly('record an observation check');
      if (!state.roster[command.personId]) return refuse('ROS1', 'That person is not a participant of this circle.');
      if (!live(state)) return refuse('OBS1', 'Observation checks are recorded while the circle is open.');
      return allow([ev('observation.seen', { personId: command.personId }, 'staff')]);

    case 'adverse.record': {
      if (!isStaff(actor)) return staffOnly('record an adverse event');
      if (!state.roster[command.personId]) return refuse('ROS1', 'That person is not a participant of this circle.');
      if (visibleLength(command.action) === 0) return refuse('ADV1', 'Say what action was taken.');
      const { type: _t, personId, ...body } = command;
      return allow([ev('adverse.recorded', { personId, ...body, action: body.action.trim() }, 'staff')]);
    }

    case 'alert.ack': {
      if (!isStaff(actor)) return staffOnly('acknowledge alerts');
      const alert = state.alerts[command.alertId];
      if (!alert) return refuse('ALR1', 'There is no such alert.');
      if (alert.ackedAt) return allow([]);
      if (alert.kind === 'crisis') return refuse('ALR3', 'A crisis alert is acknowledged once for the clinic, saying what was done.');
      const note = command.note?.trim();
      return allow([ev('alert.acknowledged', { alertId: alert.id, ...(note ? { note } : {}), ...(alert.afterClose ? { afterClose: true } : {}) }, 'staff')]);
    }

    case 'round.start':
    case 'round.setOrder':
    case 'hand.raise':
    case 'hand.lower':
    case 'turn.pass':
    case 'turn.done':
    case 'round.next':
    case 'round.skip':
    case 'round.extend':
    case 'queue.reorder':
    case 'queue.front':
    case 'round.pause':
    case 'round.resume':
    case 'round.end':
      return decideRound(state, command, actor, now);

    case 'share.write':
    case 'share.withdraw':
    case 'share.approve':
    case 'share.decline':
    case 'share.proposeEdit':
    case 'share.acceptEdit':
      return decideShare(state, command, actor, now);

    case 'participant.discharge': {
      if (!isStaff(actor)) return staffOnly('discharge someone');
      const entry = state.roster[command.personId];
      if (!entry) return refuse('ROS1', 'That person is not a participant of this circle.');
      const r = recordOf(state, command.personId);
      if (r.discharge) return refuse('DIS1', `${entry.displayName} has already been discharged.`);
      const reason = command.reason?.trim() ?? '';
      if (r.dose) {
        const unmet = readinessToLeave(state, command.personId, now).items.filter((i) => !i.met);
        if (unmet.length > 0 && visibleLength(reason) < MIN_REASON) {
          return refuse(unmet[0]!.rule, `Not ready to leave: ${unmet.map((i) => `${i.label.toLowerCase()} (${i.detail})`).join('; ')}. Discharging anyway needs a written reason.`);
        }
      }
      return allow([
        ev('participant.discharged', { personId: command.personId }, personAudience(command.personId)),
        ...(reason ? [ev('discharge.noted', { personId: command.personId, reason }, 'staff')] : []),
      ]);
    }
  }
}
