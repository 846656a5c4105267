import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCommandId } from '@holdspace/client';
import { commandBudgets, type ClientCommand } from '@holdspace/domain';
import type { CommandAck, Result } from '@holdspace/protocol';
import { closeRawSockets, connected, rawSocket, startTestServer, waitFor, type RawSocket, type TestServer } from '../support/harness.js';
import { repoRoot } from '../support/process.js';
import { signInCast, type DosingCast } from '../support/dosing-fixture.js';

// FAIR1-FAIR4: one participant's 50 devices at full speed (each sends again as soon as it is answered), from a
// process of their own as from another machine, while the facilitator runs the room.

const DEVICES = 50;
const FLOOD_MS = 3000;
const child = fileURLToPath(new URL('../support/flood-child.ts', import.meta.url));

interface FloodReport {
  answers: Record<string, number>;
  cuts: number;
  refusedConnects: number;
  startedAt: number;
  lastAdmittedAt: number;
  stoppedAt: number;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

describe('one participant floods a circle from 50 devices (postgres)', () => {
  let server: TestServer;
  let cast: DosingCast;

  beforeAll(async () => {
    // FAIR6 would refuse most of the 50 devices at the handshake; this test is about what one person's sockets send.
    server = await startTestServer('postgres', { env: { SOCKETS_PER_PERSON: String(DEVICES + 10) } });
    cast = await signInCast(server.url, 'preparation');
  });
  afterAll(async () => {
    closeRawSockets();
    await server?.stop();
  });

  const command = (socket: RawSocket, command: ClientCommand): Promise<Result<CommandAck>> =>
    socket.emitWithAck('circle:command', { circleId: cast.circleId, commandId: newCommandId(), command }) as Promise<Result<CommandAck>>;

  it('FAIR1, FAIR2, FAIR4: the flood stays within one budget, the facilitator is not held back, the queue empties', { timeout: 90_000 }, async () => {
    const { circleId } = cast;
    const facilitator = await rawSocket(server.url, { cookie: cast.facilitator.person.cookie });
    await connected(facilitator);
    expect(await facilitator.emitWithAck('circle:join', { circleId, device: 'desktop' })).toMatchObject({ ok: true });
    expect(await command(facilitator, { type: 'circle.open', offSchedule: true })).toMatchObject({ ok: true });

    // The baseline, measured in the same run on the same machine: the facilitator's commands with no flood.
    const baseline: number[] = [];
    for (let i = 0; i < 20; i++) {
      const at = Date.now();
      expect(await command(facilitator, { type: i % 2 === 0 ? 'hold.start' : 'hold.end' })).toMatchObject({ ok: true });
      baseline.push(Date.now() - at);
    }

    const attacker = spawn(process.execPath, ['--import', 'tsx', child], {
      cwd: repoRoot,
      env: { ...process.env, URL: server.url, COOKIE: cast.participants.river.person.cookie, CIRCLE_ID: circleId, DEVICES: String(DEVICES), FLOOD_MS: String(FLOOD_MS) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let errors = '';
    attacker.stderr.on('data', (d: Buffer) => (errors += d.toString()));
    const lines = createInterface({ input: attacker.stdout })[Symbol.asyncIterator]();
    const next = async () => JSON.parse(((await lines.next()).value as string | undefined) ?? '{}') as Partial<FloodReport> & { started?: number };
    expect((await next()).started, errors).toBeTypeOf('number');

    // The facilitator keeps to a pace a person could: ten commands a second, well within the staff budget.
    const latencies: number[] = [];
    const staffAnswers: Result<CommandAck>[] = [];
    let sent = baseline.length;
    const pace = setInterval(() => {
      const at = Date.now();
      void command(facilitator, { type: sent++ % 2 === 0 ? 'hold.start' : 'hold.end' }).then((result) => {
        latencies.push(Date.now() - at);
        staffAnswers.push(result);
      });
    }, 100);
    const report = (await next()) as FloodReport;
    if (!report.answers) throw new Error(`the flooding process failed:\n${errors}`);
    clearInterval(pace);
    await waitFor(() => server.app.services.circles.pending(circleId) === 0, { timeout: 2000, interval: 5, message: 'the circle queue to empty' });
    const emptyAfter = Date.now() - report.stoppedAt;
    await waitFor(() => baseline.length + staffAnswers.length === sent, { message: 'the facilitator’s answers' });

    const admitted = Object.entries(report.answers).filter(([code]) => !['RATE_LIMITED', 'BUSY', 'no answer'].includes(code)).reduce((n, [, count]) => n + count, 0);
    const seconds = (report.lastAdmittedAt - report.startedAt) / 1000;
    const budget = commandBudgets.participant.burst + commandBudgets.participant.perSecond * seconds;
    console.log(`figure: flood of ${DEVICES} devices for ${FLOOD_MS} ms: answers ${JSON.stringify(report.answers)}, sockets cut ${report.cuts}, connections refused ${report.refusedConnects}`);
    console.log(`figure: admitted ${admitted} of a budget of ${budget.toFixed(1)} (${seconds.toFixed(2)} s); queue empty ${emptyAfter} ms after the flood stopped`);
    const line = (values: number[]) => `n=${values.length} p50=${percentile(values, 50)} ms p95=${percentile(values, 95)} ms max=${Math.max(...values)} ms`;
    console.log(`figure: facilitator commands during the flood: ${line(latencies)}; baseline without it: ${line(baseline)}`);

    // The flood reached the circle: some of it was admitted or found the lane full.
    expect(admitted + (report.answers.BUSY ?? 0)).toBeGreaterThan(0);
    expect(admitted).toBeLessThanOrEqual(Math.ceil(budget) + 1);
    expect(report.answers.RATE_LIMITED ?? 0).toBeGreaterThan(0);
    expect(latencies.length).toBeGreaterThanOrEqual(10);
    // Every one of the facilitator's commands was applied: none refused for the flood's sake.
    expect(staffAnswers.filter((r) => !r.ok)).toEqual([]);
  });
});
