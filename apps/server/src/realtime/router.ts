import type { Socket } from 'socket.io';
import type { z } from 'zod';
import { fail, validationFailure, type ClientToServerEvents, type Result } from '@holdspace/protocol';

type AckOf<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[1];
type DataOf<A> = A extends (result: Result<infer T>) => void ? T : never;

export interface RouterOptions {
  /** Messages a socket may send per second on average, and in a burst. */
  ratePerSecond: number;
  burst: number;
  onError: (error: unknown, event: string) => void;
}

/**
 * One way to handle a client event: rate limit, parse with the protocol's zod schema, run, and always
 * acknowledge with a Result. A handler that throws becomes INTERNAL with no details sent.
 */
export function createRouter(socket: Socket, options: RouterOptions) {
  let tokens = options.burst;
  let last = Date.now();
  const take = () => {
    const now = Date.now();
    tokens = Math.min(options.burst, tokens + ((now - last) / 1000) * options.ratePerSecond);
    last = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };

  // A device's messages are handled one after another, in the order sent, so its commands apply in that order.
  let chain: Promise<unknown> = Promise.resolve();

  return function on<E extends keyof ClientToServerEvents, S extends z.ZodType>(
    event: E,
    schema: S,
    handler: (body: z.output<S>) => Promise<Result<DataOf<AckOf<E>>>>,
  ) {
    socket.on(event as string, async (body: unknown, ack: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (r: Result<unknown>) => void) : () => {};
      if (!take()) return reply(fail('RATE_LIMITED', 'Too many messages. Please wait a moment.'));
      const parsed = schema.safeParse(body);
      if (!parsed.success) return reply(validationFailure(parsed.error));
      const turn = chain.then(async () => {
        try {
          reply(await handler(parsed.data));
        } catch (error) {
          options.onError(error, event);
          reply(fail('INTERNAL', 'Something went wrong on our side. Your request was not applied.'));
        }
      });
      chain = turn;
      await turn;
    });
  };
}
