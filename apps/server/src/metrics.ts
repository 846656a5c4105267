import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CircleEvent, ClinicAlert } from '@holdspace/domain';
import { unpressured } from './plugins/pressure.js';
import { fail, type CircleCommandEnvelope, type CloseReason, type Result } from '@holdspace/protocol';

const seconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * What one node counts for Prometheus. Labels are bounded sets only (command types, rule ids, reasons, event names):
 * never a person, a circle or anything a person wrote.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly registers = [this.registry];
  /** The sockets this node holds, read at each scrape. */
  socketCount: () => number = () => 0;

  readonly commands = new Counter({ name: 'holdspace_commands_total', help: 'Circle commands answered, by command type and outcome (applied, duplicate, or the error code).', labelNames: ['type', 'outcome'], registers: this.registers });
  readonly refusals = new Counter({ name: 'holdspace_refusals_total', help: 'Circle commands refused by a rule, by SPEC rule id.', labelNames: ['rule'], registers: this.registers });
  readonly appendSeconds = new Histogram({ name: 'holdspace_append_duration_seconds', help: 'One append to a circle log: decide, write and commit.', buckets: seconds, registers: this.registers });
  readonly ackSeconds = new Histogram({ name: 'holdspace_ack_duration_seconds', help: 'A socket message received to its acknowledgement sent, by event.', labelNames: ['event'], buckets: seconds, registers: this.registers });
  readonly fanOut = new Histogram({ name: 'holdspace_broadcast_fanout_sockets', help: 'Sockets of this node one circle event was sent to.', buckets: [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000], registers: this.registers });
  readonly adapterLag = new Histogram({ name: 'holdspace_adapter_lag_seconds', help: 'A circle event stamped on another node to its arrival here through the adapter (includes clock skew between nodes).', buckets: seconds, registers: this.registers });
  readonly alertDelivery = new Histogram({ name: 'holdspace_alert_delivery_seconds', help: 'A safety or care alert committed to its emit to the staff sockets, by kind.', labelNames: ['kind'], buckets: seconds, registers: this.registers });
  readonly outboxRetries = new Counter({ name: 'holdspace_outbox_retries_total', help: 'Circle commands that devices reported sending again (their outbox retries).', registers: this.registers });
  readonly socketCloses = new Counter({ name: 'holdspace_socket_closes_total', help: 'Sockets the server closed on purpose, by reason.', labelNames: ['reason'], registers: this.registers });
  readonly socketRefusals = new Counter({ name: 'holdspace_socket_refusals_total', help: 'Handshakes and joins refused by FAIR5/FAIR6 limits, by reason.', labelNames: ['reason'], registers: this.registers });
  readonly shed = new Counter({ name: 'holdspace_http_shed_total', help: 'HTTP requests answered 503 because the process was under pressure, by what was over its limit.', labelNames: ['cause'], registers: this.registers });

  constructor() {
    const sockets: Gauge = new Gauge({ name: 'holdspace_sockets', help: 'Sockets connected to this node.', registers: this.registers, collect: () => sockets.set(this.socketCount()) });
    collectDefaultMetrics({ register: this.registry });
  }

  /** Every socket message's answer: its latency, and for commands their type, outcome, rule and retries. */
  answered(event: string, parsed: unknown, result: Result<unknown>, startedAt: number): void {
    this.ackSeconds.observe({ event }, (performance.now() - startedAt) / 1000);
    if (event !== 'circle:command') return;
    const body = parsed as CircleCommandEnvelope | undefined;
    const outcome = result.ok ? ((result.data as { duplicate?: boolean }).duplicate ? 'duplicate' : 'applied') : result.code.toLowerCase();
    this.commands.inc({ type: body?.command.type ?? 'unparsed', outcome });
    if (!result.ok && result.rule) this.refusals.inc({ rule: result.rule });
    if (body?.attempt) this.outboxRetries.inc();
  }

  eventsArrived(events: CircleEvent[], now = Date.now()): void {
    for (const e of events) this.adapterLag.observe(Math.max(0, now - Date.parse(e.at)) / 1000);
  }

  alertSent(kind: 'safety' | 'care', alert: ClinicAlert, now = Date.now()): void {
    this.alertDelivery.observe({ kind }, Math.max(0, now - Date.parse(alert.raisedAt)) / 1000);
  }

  closed(reason: CloseReason): void {
    this.socketCloses.inc({ reason });
  }
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * With METRICS_TOKEN, a scraper sends it as a bearer token from anywhere. Without it, only a peer on this machine that
 * did not come through a proxy (no forwarding header): a proxy on the same host would otherwise pass the internet in.
 */
export function mayScrape(request: Pick<FastifyRequest, 'headers' | 'socket'>, token: string | undefined): boolean {
  if (token) {
    const given = Buffer.from(request.headers.authorization ?? '');
    const wanted = Buffer.from(`Bearer ${token}`);
    return given.length === wanted.length && timingSafeEqual(given, wanted);
  }
  const forwarded = request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined;
  return !forwarded && LOOPBACK.has(request.socket.remoteAddress ?? '');
}

export async function metricsRoute(app: FastifyInstance, metrics: Metrics, token: string | undefined): Promise<void> {
  app.get('/metrics', { schema: { hide: true }, config: unpressured }, async (request, reply) => {
    if (!mayScrape(request, token)) {
      return reply.status(token ? 401 : 403).send(fail(token ? 'UNAUTHENTICATED' : 'FORBIDDEN', token ? 'Send the metrics token as a bearer token.' : 'Metrics are served to this machine only, or with METRICS_TOKEN.'));
    }
    return reply.header('content-type', metrics.registry.contentType).header('cache-control', 'no-store').send(await metrics.registry.metrics());
  });
}
