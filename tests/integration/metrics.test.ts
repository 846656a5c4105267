import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newCommandId, type CircleConnection } from '@holdspace/client';
import { closeReasons, MAX_FRAME_BYTES } from '@holdspace/protocol';
import { closeRawSockets, connected, rawSocket, startTestServer, waitFor, type TestServer } from '../support/harness.js';
import { DosingScript, participantKeys, signInCast, TappedSocket, type DosingCast, type Who } from '../support/dosing-fixture.js';

const CAP = 3;
const everyone: Who[] = ['facilitator', ...participantKeys];

/** One sample's value from Prometheus text, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '').split(',').filter(Boolean);
    if (wanted.every((w) => have.includes(w))) return Number(match[3]);
  }
  return undefined;
}

describe('metrics, frame limits and FAIR6 (pglite)', () => {
  let server: TestServer;
  let cast: DosingCast;
  const scrape = async (headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}/metrics`, { headers });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };

  beforeAll(async () => {
    server = await startTestServer('pglite', { env: { SOCKETS_PER_PERSON: String(CAP) } });
    cast = await signInCast(server.url);
  });
  // closeAllConnections() forgets the people signed in before it, so these are closed here.
  const opened: CircleConnection[] = [];
  afterEach(() => {
    closeRawSockets();
    for (const c of opened.splice(0)) c.close();
  });
  afterAll(async () => server?.stop());

  it('a short circle shows in /metrics: commands, refusals, append and ack latency, fan-out, sockets, retries, process', { timeout: 60_000 }, async () => {
    const memberOf = (w: Who) => (w === 'facilitator' ? cast.facilitator : cast.participants[w]);
    const sockets = Object.fromEntries(await Promise.all(everyone.map(async (w) => [w, await TappedSocket.open(server.url, memberOf(w).person.cookie)] as const))) as Record<Who, TappedSocket>;
    for (const w of everyone) await sockets[w].join(cast.circleId);
    await new DosingScript(cast, (who, command) => sockets[who].command(cast.circleId, command)).run('dose');
    // An outbox's resend: the same command id again, saying it is the second send.
    const commandId = newCommandId();
    const command = { type: 'checkin.journey', signal: 'okay' } as const;
    expect(await sockets.river.command(cast.circleId, command, commandId)).toMatchObject({ ok: true });
    expect(await sockets.river.socket.emitWithAck('circle:command', { circleId: cast.circleId, commandId, command, attempt: 1 })).toMatchObject({ ok: true, data: { duplicate: true } });

    const { status, type, text } = await scrape();
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    const series = (name: string, labels?: Record<string, string>) => sample(text, name, labels) ?? NaN;
    expect(series('holdspace_commands_total', { type: 'circle.open', outcome: 'applied' })).toBe(1);
    expect(series('holdspace_commands_total', { type: 'checkin.journey', outcome: 'duplicate' })).toBe(1);
    expect(series('holdspace_commands_total', { type: 'dose.record', outcome: 'rule_violation' })).toBeGreaterThanOrEqual(1);
    expect(series('holdspace_refusals_total', { rule: 'GATE4' })).toBeGreaterThanOrEqual(1);
    expect(series('holdspace_outbox_retries_total')).toBe(1);
    // Every command and every roster and presence change was one append.
    const appends = series('holdspace_append_duration_seconds_count');
    expect(appends).toBeGreaterThan(series('holdspace_commands_total', { type: 'circle.open', outcome: 'applied' }) + participantKeys.length);
    expect(series('holdspace_append_duration_seconds_sum') / appends).toBeLessThan(2);
    expect(series('holdspace_ack_duration_seconds_count', { event: 'circle:command' })).toBeGreaterThan(10);
    expect(series('holdspace_ack_duration_seconds_count', { event: 'circle:join' })).toBe(everyone.length);
    expect(series('holdspace_ack_duration_seconds_bucket', { event: 'circle:command', le: '+Inf' })).toBe(series('holdspace_ack_duration_seconds_count', { event: 'circle:command' }));
    // Events to the whole room reach all five sockets; some go to staff only, or to one person and the staff.
    const fanOut = series('holdspace_broadcast_fanout_sockets_count');
    expect(fanOut).toBeGreaterThan(0);
    expect(series('holdspace_broadcast_fanout_sockets_sum') / fanOut).toBeGreaterThan(1);
    expect(series('holdspace_broadcast_fanout_sockets_sum') / fanOut).toBeLessThanOrEqual(everyone.length);
    expect(series('holdspace_sockets')).toBe(everyone.length);
    expect(series('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(series('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    for (const name of ['holdspace_adapter_lag_seconds', 'holdspace_alert_delivery_seconds', 'holdspace_socket_closes_total', 'holdspace_http_shed_total']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    // Labels are types, rules, reasons and events: no person's id appears anywhere.
    for (const w of everyone) expect(text).not.toContain(memberOf(w).id);
    expect(text).not.toContain(cast.circleId);
    console.log(`figure: ${appends} appends, mean ${((series('holdspace_append_duration_seconds_sum') / appends) * 1000).toFixed(1)} ms; mean fan-out ${(series('holdspace_broadcast_fanout_sockets_sum') / fanOut).toFixed(2)} sockets`);
  });

  it('/metrics answers only this machine when no token is set, not what came through a proxy', async () => {
    expect((await scrape({ 'x-forwarded-for': '203.0.113.9' })).status).toBe(403);
  });

  it('an oversized frame closes the socket with a reason the device shows, and is counted', { timeout: 30_000 }, async () => {
    const conn = cast.participants.sage.person.connect(cast.circleId, { device: 'phone' });
    opened.push(conn);
    await waitFor(() => conn.status === 'live', { timeout: 10_000, message: 'sage live' });
    conn.socket.emit('circle:command', { circleId: cast.circleId, commandId: newCommandId(), command: { type: 'share.write', text: 'x'.repeat(MAX_FRAME_BYTES), audience: 'group', anonymous: false } }, () => {});
    await waitFor(() => conn.lastError === closeReasons.oversized_frame, { timeout: 10_000, message: 'the oversized-frame reason' });
    await waitFor(async () => sample((await scrape()).text, 'holdspace_socket_closes_total', { reason: 'oversized_frame' }) === 1, { timeout: 5000, message: 'the oversized-frame count' });
    // It reconnects on its own.
    await waitFor(() => conn.status === 'live', { timeout: 15_000, message: 'sage live again' });
  });

  it('a malformed frame closes the socket with a reason the device shows, and is counted', { timeout: 30_000 }, async () => {
    const conn = cast.participants.cedar.person.connect(cast.circleId, { device: 'phone' });
    opened.push(conn);
    await waitFor(() => conn.status === 'live', { timeout: 10_000, message: 'cedar live' });
    conn.socket.io.engine.write('2["circle:command",');
    await waitFor(() => conn.lastError === closeReasons.malformed_frame, { timeout: 10_000, message: 'the malformed-frame reason' });
    await waitFor(async () => sample((await scrape()).text, 'holdspace_socket_closes_total', { reason: 'malformed_frame' }) === 1, { timeout: 5000, message: 'the malformed-frame count' });
  });

  it(`FAIR6: a person's socket past the cap (${CAP}) is refused with a clear error, and the next fits once one closes`, { timeout: 30_000 }, async () => {
    const cookie = cast.participants.wren.person.cookie;
    await waitFor(async () => sample((await scrape()).text, 'holdspace_sockets') === 0, { timeout: 10_000, message: 'the sockets of the tests above to close' });
    const held = await Promise.all(Array.from({ length: CAP }, () => rawSocket(server.url, { cookie })));
    await Promise.all(held.map(connected));
    const extra = await rawSocket(server.url, { cookie });
    await expect(connected(extra)).rejects.toThrow(/RATE_LIMITED: .*close another tab or device/);
    expect(sample((await scrape()).text, 'holdspace_socket_refusals_total', { reason: 'per_person_cap' })).toBeGreaterThanOrEqual(1);
    held[0]!.disconnect();
    await waitFor(
      async () => {
        const again = await rawSocket(server.url, { cookie });
        return connected(again).then(
          () => true,
          () => false,
        );
      },
      { timeout: 10_000, interval: 100, message: 'a socket once one closed' },
    );
  });
});

describe('load shedding and the metrics token (pglite)', () => {
  let server: TestServer;
  const token = 'metrics-token-for-the-test';

  // A limit any running process is over: every request that can be shed is.
  beforeAll(async () => {
    server = await startTestServer('pglite', { env: { PRESSURE_MAX_EVENT_LOOP_UTILIZATION: '0.00001', METRICS_TOKEN: token } });
  });
  afterAll(async () => server?.stop());

  it('under pressure, HTTP is answered 503 with a clear JSON message; health and metrics still answer', { timeout: 30_000 }, async () => {
    const shed = await waitFor(
      async () => {
        const res = await fetch(`${server.url}/api/circles`);
        return res.status === 503 ? res : null;
      },
      { timeout: 10_000, interval: 100, message: 'a shed request' },
    );
    expect(shed.headers.get('retry-after')).toBe('5');
    expect(await shed.json()).toMatchObject({ ok: false, code: 'UNAVAILABLE', message: expect.stringMatching(/very busy/) });
    const health = await fetch(`${server.url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const metrics = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(metrics.status).toBe(200);
    expect(sample(await metrics.text(), 'holdspace_http_shed_total', { cause: 'eventLoopUtilization' })).toBeGreaterThanOrEqual(1);
  });

  it('with METRICS_TOKEN, /metrics wants the token, from this machine too', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
  });
});
