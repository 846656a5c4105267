import type { Socket } from 'socket.io';
import type { z } from 'zod';
import { readPauseMs, takeToken, type Bucket, type Budget } from '@holdspace/domain';
import { fail, validationFailure, type ClientToServerEvents, type Result } from '@holdspace/protocol';

type AckOf<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[1];
type DataOf<A> = A extends (result: Result<infer T>) => void ? T : never;

export interface RouterOptions {
  /** FAIR5: the messages a socket may send per second on average, and in a burst. */
  budget: Budget;
  onError: (error: unknown, event: string) => void;
  /** LOG6: how long a handler may wait on the database before the device hears UNAVAILABLE. */
  timeoutMs: number;
  /** Failures of reaching the database: answered UNAVAILABLE (the device keeps the command), not INTERNAL. */
  isUnavailable: (error: unknown) => boolean;
  /** False once the server is stopping: new messages are answered UNAVAILABLE at once. */
  accepting: () => boolean;
  /**
   * FAIR5: a socket answered RATE_LIMITED this many times in a row is disconnected: an outbox backs off long before,
   * so only a runaway or hostile sender gets there, and answering it would cost the room.
   */
  cutAfterRefusals: number;
  onCut: () => void;
  /** FAIR7: stop reading the socket's connection for `ms` (frames wait in its TCP buffers). */
  pauseReading: (ms: number) => void;
  /** Every answer, with the body as parsed (undefined when it did not parse) and when the message arrived. */
  onAnswer?: (event: string, parsed: unknown, result: Result<unknown>, receivedAt: number) => void;
}

const unavailable = () => fail('UNAVAILABLE', 'Not saved yet: Holdspace cannot reach its database. It will be sent again.');

/**
 * One way to handle a client event: rate limit, parse with the protocol's zod schema, run, and always
 * acknowledge with a Result. A handler that throws becomes INTERNAL with no details sent.
 */
export function createRouter(socket: Socket, options: RouterOptions) {
  let bucket: Bucket | undefined;
  const take = () => {
    const attempt = takeToken(bucket, options.budget, Date.now());
    bucket = attempt.bucket;
    return attempt.taken;
  };

  // A device's messages are handled one after another, in the order sent, so its commands apply in that order.
  let chain: Promise<unknown> = Promise.resolve();
  let refusedInARow = 0;
  const answer = (event: string, ack: (r: Result<unknown>) => void, receivedAt: number, parsed: { data?: unknown }) => (result: Result<unknown>) => {
    options.onAnswer?.(event, parsed.data, result, receivedAt);
    refusedInARow = !result.ok && result.code === 'RATE_LIMITED' ? refusedInARow + 1 : 0;
    ack(result);
    if (refusedInARow > 0) options.pauseReading(readPauseMs(refusedInARow));
    if (refusedInARow >= options.cutAfterRefusals && socket.connected) {
      options.onCut();
      socket.disconnect(true);
    }
  };

  return function on<E extends keyof ClientToServerEvents, S extends z.ZodType>(
    event: E,
    schema: S,
    handler: (body: z.output<S>, signal: AbortSignal) => Promise<Result<DataOf<AckOf<E>>>>,
  ) {
    socket.on(event as string, async (body: unknown, ack: unknown) => {
      const seen: { data?: unknown } = {};
      const reply = answer(event, typeof ack === 'function' ? (ack as (r: Result<unknown>) => void) : () => {}, performance.now(), seen);
      if (!options.accepting()) return reply(fail('UNAVAILABLE', 'Holdspace is restarting. It will be sent again in a moment.'));
      if (!take()) return reply(fail('RATE_LIMITED', 'Too many messages. Please wait a moment.'));
      const parsed = schema.safeParse(body);
      if (!parsed.success) return reply(validationFailure(parsed.error));
      seen.data = parsed.data;
      const turn = chain.then(async () => {
        // The handler runs on after a timeout (its write may still commit: a resend is deduplicated, LOG3), but the
        // device is answered and this socket's next message is not held behind it.
        const abort = new AbortController();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), options.timeoutMs)));
        const work = handler(parsed.data, abort.signal);
        try {
          const result = await Promise.race([work, timedOut]);
          if (result === 'timeout') {
            abort.abort();
            work.catch((error: unknown) => options.isUnavailable(error) || options.onError(error, event));
            return reply(unavailable());
          }
          reply(result);
        } catch (error) {
          if (options.isUnavailable(error)) return reply(unavailable());
          options.onError(error, event);
          reply(fail('INTERNAL', 'Something went wrong on our side. Your request was not applied.'));
        } finally {
          clearTimeout(timer);
        }
      });
      chain = turn;
      await turn;
    });
  };
}
