import { getHeapStatistics } from 'node:v8';
import type { FastifyInstance } from 'fastify';
import underPressure from '@fastify/under-pressure';
import type { Config } from '../config.js';
import type { Metrics } from '../metrics.js';
import { HttpError } from './errors.js';

/** Seconds a shed client is asked to wait: a few samples, long enough for a stall to pass or to be seen as one. */
const RETRY_AFTER_S = 5;

/**
 * Sheds HTTP load with a 503 before the event loop stalls, so the sockets of a running circle (their commands, the
 * pings that keep them) keep the loop. The loop's delay (and, when set, its utilisation) is sampled every 500 ms; a
 * 500 ms mean delay is far past a healthy loop yet below COMMAND_TIMEOUT_MS and the sockets' ping timeout. The heap
 * limit is 90% of V8's, before collection thrashes. Routes that must answer under load (health, metrics) opt out with `unpressured`.
 */
export async function registerPressure(app: FastifyInstance, config: Config, metrics: Metrics): Promise<void> {
  await app.register(underPressure, {
    sampleInterval: 500,
    maxEventLoopDelay: config.PRESSURE_MAX_EVENT_LOOP_DELAY_MS,
    maxEventLoopUtilization: config.PRESSURE_MAX_EVENT_LOOP_UTILIZATION,
    maxHeapUsedBytes: Math.round(getHeapStatistics().heap_size_limit * 0.9),
    retryAfter: RETRY_AFTER_S,
    pressureHandler: async (_request, reply, cause) => {
      metrics.shed.inc({ cause });
      reply.header('retry-after', String(RETRY_AFTER_S));
      throw new HttpError(503, 'UNAVAILABLE', `Holdspace is very busy right now. Please try again in ${RETRY_AFTER_S} seconds.`);
    },
  });
}

/** Route config for routes that answer whatever the load: under-pressure lets them through. */
export const unpressured = { pressureHandler: () => undefined };
