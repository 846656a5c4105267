import { describe, expect, it } from 'vitest';
import type { ClientCommand } from '@holdspace/domain';
import { errorCodes } from '@holdspace/protocol';
import {
  afterAnswer,
  answerDisposition,
  dispositionOf,
  dueEntries,
  isUrgent,
  MAX_INTERNAL_ANSWERS,
  memoryStorage,
  Outbox,
  refusalNotice,
  type OutboxEntry,
} from './outbox.js';

const arrival: ClientCommand = { type: 'checkin.arrival', mood: 5, anxiety: 5, sleep: 'good', body: '', intention: '' };
const support: ClientCommand = { type: 'checkin.journey', signal: 'support' };
const entry = (command: ClientCommand, extra: Partial<OutboxEntry> = {}): OutboxEntry => ({
  commandId: `c${Math.random().toString(36).slice(2, 12)}`,
  circleId: 'circle',
  command,
  createdAt: new Date(0).toISOString(),
  attempts: 0,
  ...extra,
});

describe('outbox', () => {
  it('OBX1: every error code has a class, and an unknown code is retried', () => {
    expect(Object.keys(answerDisposition).sort()).toEqual([...errorCodes].sort());
    expect(dispositionOf('BAD_REQUEST')).toBe('refused');
    expect(dispositionOf('RULE_VIOLATION')).toBe('refused');
    expect(dispositionOf('UNAVAILABLE')).toBe('retry');
    expect(dispositionOf('BUSY')).toBe('retry');
    expect(dispositionOf('SOMETHING_NEW')).toBe('retry');
    expect(dispositionOf('INTERNAL')).toBe('retry_few');
  });

  it('OBX2: a temporary answer sets a command aside and the ones behind it are due at once', () => {
    expect(afterAnswer({}, { ok: false, code: 'UNAVAILABLE' })).toBe('set_aside');
    const outbox = new Outbox(memoryStorage());
    const first = outbox.add('circle', arrival);
    const second = outbox.add('circle', { type: 'hand.raise' });
    outbox.setAside(first.commandId, 10_000, false);
    expect(dueEntries(outbox.all(), 'normal', 5_000).map((e) => e.commandId)).toEqual([second.commandId]);
    expect(dueEntries(outbox.all(), 'normal', 10_000).map((e) => e.commandId)).toEqual([first.commandId, second.commandId]);
  });

  it('OBX3: a refusal leaves at once; INTERNAL leaves after MAX_INTERNAL_ANSWERS answers', () => {
    expect(afterAnswer({}, { ok: false, code: 'BAD_REQUEST' })).toBe('leave');
    expect(afterAnswer({}, { ok: true })).toBe('leave');
    const outbox = new Outbox(memoryStorage());
    const e = outbox.add('circle', arrival);
    const answers: string[] = [];
    for (let i = 0; i < MAX_INTERNAL_ANSWERS; i += 1) {
      const now = outbox.all()[0]!;
      const next = afterAnswer(now, { ok: false, code: 'INTERNAL' });
      answers.push(next);
      if (next === 'set_aside') outbox.setAside(e.commandId, 0, true);
    }
    expect(answers).toEqual([...Array(MAX_INTERNAL_ANSWERS - 1).fill('set_aside'), 'leave']);
    expect(outbox.all()[0]?.internalErrors).toBe(MAX_INTERNAL_ANSWERS - 1);
  });

  it('OBX4: support and break signals go on the urgent lane, never behind other commands', () => {
    expect(isUrgent(support)).toBe(true);
    expect(isUrgent({ type: 'checkin.journey', signal: 'break' })).toBe(true);
    expect(isUrgent({ type: 'checkin.journey', signal: 'okay' })).toBe(false);
    expect(isUrgent(arrival)).toBe(false);
    const entries = [entry(arrival), entry({ type: 'hand.raise' }), entry(support)];
    expect(dueEntries(entries, 'urgent', 0).map((e) => e.command.type)).toEqual(['checkin.journey']);
    expect(dueEntries(entries, 'normal', 0).map((e) => e.command.type)).toEqual(['checkin.arrival', 'hand.raise']);
  });

  it('OBX5: a command that leaves unsaved gets a plain message saying what and what to do', () => {
    const field = refusalNotice(arrival, {
      code: 'BAD_REQUEST',
      message: 'Invalid input',
      issues: [{ path: 'command.body', message: 'This text holds a broken character (half of an emoji). Delete the last character or type it again.' }],
    });
    expect(field).toMatch(/^Your arrival check-in could not be saved\. This text holds a broken character/);
    expect(field).toContain('save again');
    expect(refusalNotice(arrival, { code: 'INTERNAL', message: 'x' })).toMatch(/^Your arrival check-in could not be saved\. .*tell your facilitator/);
    expect(refusalNotice(support, { code: 'INTERNAL', message: 'x' })).toMatch(/call for support could not be sent.*call out/);
  });
});
