// The load driver: its own process (pinned to its own core when it can be), so the devices' work never counts as
// the server's. It opens every device of the given circles, lets each participant send a journey check-in every
// period, staggered over the period, and times each from emit to its acknowledgement and to the facilitator's
// socket. The result is the last stdout line, `result:{json}`.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION } from '@holdspace/protocol';
import { sampleProcess, spread } from './measure.js';
import type { BenchCircle } from './seed.js';

export interface DriverConfig {
  kind: 'holdspace' | 'bare';
  /** Devices are spread over these round-robin (three nodes without a load balancer). */
  urls: string[];
  circles: BenchCircle[];
  seconds: number;
  periodMs: number;
  serverPids: number[];
  /** Only connect and join every device, then report the servers' resident memory per socket, idle. */
  idle?: boolean;
}

const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as DriverConfig;
const ACK_TIMEOUT_MS = 10_000;
const errors: Record<string, number> = {};
const fail = (what: string) => (errors[what] = (errors[what] ?? 0) + 1);
let socketCount = 0;
let joinedCount = 0;

type Result = { ok: true; value: unknown } | { ok: false; code: string; rule?: string; message: string };

function open(token: string, personId: string, role: 'facilitator' | 'participant'): Socket {
  const url = config.urls[socketCount++ % config.urls.length]!;
  return io(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: config.kind === 'holdspace' ? { protocolVersion: PROTOCOL_VERSION } : { person: personId, role },
    extraHeaders: config.kind === 'holdspace' ? { cookie: `hs_session=${token}`, origin: url } : {},
  });
}

const request = (socket: Socket, event: string, body: unknown): Promise<Result> =>
  socket
    .timeout(ACK_TIMEOUT_MS)
    .emitWithAck(event, body)
    .catch(() => ({ ok: false, code: 'TIMEOUT', message: `${event} not answered` }) as Result);

const connected = (socket: Socket) =>
  new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (e) => reject(e));
  });

/** Runs `work` over `items`, `width` at a time: a thousand handshakes at once only measures the backlog. */
async function inBatches<T>(items: T[], width: number, work: (item: T) => Promise<void>) {
  const guarded = (item: T) => work(item).catch((e: unknown) => void fail(`setup: ${e instanceof Error ? e.message : String(e)}`.slice(0, 120)));
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(guarded));
}

const commandId = () => `b${Math.random().toString(36).slice(2, 12)}${Date.now().toString(36)}`;

interface Device {
  socket: Socket;
  circleId: string;
  personId: string;
}

async function join(socket: Socket, circleId: string, device: 'desktop' | 'phone') {
  await connected(socket);
  const joined = await request(socket, 'circle:join', { circleId, device });
  if (!joined.ok) throw new Error(`join refused: ${joined.code} ${joined.message}`);
  joinedCount++;
}

const pending = new Map<string, number[]>();
const toFacilitator: number[] = [];
const toAck: number[] = [];
let sent = 0;
let measuring = false;

const facilitators: Socket[] = [];
const participants: Device[] = [];
const serverRssMb = () => config.serverPids.map(sampleProcess).reduce((sum, s) => sum + (s?.rssMb ?? 0), 0);
const idleBefore = serverRssMb();
const setupStarted = performance.now();
await inBatches(config.circles, 20, async (c) => {
  const socket = open(c.facilitator.token, c.facilitator.personId, 'facilitator');
  facilitators.push(socket);
  socket.on('circle:event', (e: { type: string; payload: { personId?: string } }) => {
    if (e.type !== 'checkin.journey' || !e.payload.personId) return;
    const emitted = pending.get(e.payload.personId)?.shift();
    if (emitted === undefined) return void (measuring && fail('unexpected event'));
    if (measuring) toFacilitator.push(performance.now() - emitted);
  });
  await join(socket, c.circleId, 'desktop');
  if (config.kind !== 'holdspace') return;
  // The circle under way, everyone let in: what a check-in needs (CHK2, CHK3). Again at each level is a no-op.
  const opened = await request(socket, 'circle:command', { commandId: commandId(), circleId: c.circleId, command: { type: 'circle.open', offSchedule: true } });
  if (!opened.ok && opened.rule !== 'CIR2') throw new Error(`circle not opened: ${opened.message}`);
  for (const p of c.participants) {
    const admitted = await request(socket, 'circle:command', { commandId: commandId(), circleId: c.circleId, command: { type: 'participant.admit', personId: p.personId } });
    if (!admitted.ok) throw new Error(`not admitted: ${admitted.message}`);
  }
});
await inBatches(
  config.circles.flatMap((c) => c.participants.map((p) => ({ c, p }))),
  50,
  async ({ c, p }) => {
    const socket = open(p.token, p.personId, 'participant');
    participants.push({ socket, circleId: c.circleId, personId: p.personId });
    await join(socket, c.circleId, 'phone');
  },
);
const setupSeconds = (performance.now() - setupStarted) / 1000;
for (const s of [...facilitators, ...participants.map((p) => p.socket)]) s.on('disconnect', (reason) => measuring && fail(`disconnect: ${reason}`));

async function send(d: Device) {
  const emitted = performance.now();
  (pending.get(d.personId) ?? pending.set(d.personId, []).get(d.personId)!).push(emitted);
  sent++;
  const ack = await request(d.socket, 'circle:command', { commandId: commandId(), circleId: d.circleId, command: { type: 'checkin.journey', signal: 'okay' } });
  if (!ack.ok) return void fail(`${ack.code}${ack.rule ? ` ${ack.rule}` : ''}`);
  if (measuring) toAck.push(performance.now() - emitted);
}

if (config.idle) {
  // Long enough for the joins' garbage to be collected and the heap to settle.
  await new Promise((r) => setTimeout(r, 5000));
  const idleAfter = serverRssMb();
  // Per socket that joined: a refused join holds less than an idle member of a circle.
  const sockets = joinedCount;
  const idle = { sockets, opened: facilitators.length + participants.length, errors: Object.values(errors).reduce((a, b) => a + b, 0), errorKinds: errors, rssBeforeMb: Math.round(idleBefore), rssAfterMb: Math.round(idleAfter), kbPerSocket: Math.round(((idleAfter - idleBefore) * 1024 * 10) / sockets) / 10 };
  for (const s of [...facilitators, ...participants.map((p) => p.socket)]) s.disconnect();
  console.log(`result:${JSON.stringify(idle)}`);
  process.exit(0);
}

// One check-in per circle before the window, answered: the code paths are compiled and every circle is loaded.
await inBatches(
  participants.filter((d, i) => i === participants.findIndex((x) => x.circleId === d.circleId)),
  20,
  async (d) => {
    const ack = await request(d.socket, 'circle:command', { commandId: commandId(), circleId: d.circleId, command: { type: 'checkin.journey', signal: 'okay' } });
    if (!ack.ok) throw new Error(`warm-up refused: ${ack.code} ${ack.message}`);
  },
);
await new Promise((r) => setTimeout(r, 500));
pending.clear();

const before = config.serverPids.map(sampleProcess);
const driverBefore = process.cpuUsage();
let rssPeak = 0;
const rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, serverRssMb())), 1000);
measuring = true;
const started = performance.now();
const timers = participants.map((d, i) => {
  const offset = (i / participants.length) * config.periodMs;
  const first = setTimeout(() => {
    void send(d);
    const every = setInterval(() => (performance.now() - started < config.seconds * 1000 ? void send(d) : clearInterval(every)), config.periodMs);
    timers.push(every);
  }, offset);
  return first;
});
await new Promise((r) => setTimeout(r, config.seconds * 1000));
const windowMs = performance.now() - started;
const after = config.serverPids.map(sampleProcess);
const driverCpu = process.cpuUsage(driverBefore);
// Stop sending, then give what is in flight its ack timeout to land.
for (const t of timers) clearTimeout(t);
const drainUntil = performance.now() + ACK_TIMEOUT_MS;
while ([...pending.values()].some((q) => q.length > 0) && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 50));
measuring = false;
clearInterval(rssTimer);
const lost = [...pending.values()].reduce((n, q) => n + q.length, 0);
if (lost > 0) errors['never reached the facilitator'] = lost;

const cpuMs = after.reduce((sum, s, i) => sum + (s && before[i] ? s.cpuMs - before[i].cpuMs : 0), 0);
const result = {
  circles: config.circles.length,
  sockets: facilitators.length + participants.length,
  setupSeconds: Math.round(setupSeconds * 10) / 10,
  seconds: Math.round(windowMs / 100) / 10,
  sent,
  commandsPerSecond: Math.round((sent / windowMs) * 10_000) / 10,
  toFacilitator: spread(toFacilitator),
  toAck: spread(toAck),
  errors: Object.values(errors).reduce((a, b) => a + b, 0),
  errorKinds: errors,
  serverCpuPercent: Math.round((cpuMs / windowMs) * 1000) / 10,
  serverCpuMsPerCommand: sent ? Math.round((cpuMs / sent) * 100) / 100 : null,
  serverRssMb: Math.round(after.reduce((sum, s) => sum + (s?.rssMb ?? 0), 0)),
  serverRssPeakMb: Math.round(rssPeak),
  /** The machine's one-minute load average at the end of the window: how busy the cores were besides this run. */
  loadAverage: Math.round(loadavg()[0]! * 10) / 10,
  driverCpuPercent: Math.round(((driverCpu.user + driverCpu.system) / 1000 / windowMs) * 1000) / 10,
};
for (const s of [...facilitators, ...participants.map((p) => p.socket)]) s.disconnect();
console.log(`result:${JSON.stringify(result)}`);
process.exit(0);
