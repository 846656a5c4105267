import type { FastifyInstance } from 'fastify';
import { HttpError } from './errors.js';

const UTF8 = /^"?utf-?8"?$/i;

/**
 * Request bodies are JSON in UTF-8 and nothing else. A text/plain body is refused (415) rather than handed to a route
 * as a string; JSON declared in another charset is refused rather than misread; `__proto__` and
 * `constructor.prototype` keys are refused with a sentence saying so, not stripped or called invalid JSON.
 */
export function registerBodyParsing(app: FastifyInstance) {
  app.removeContentTypeParser('text/plain');
  const parse = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const charset = /;\s*charset\s*=\s*([^;\s]*)/i.exec(request.headers['content-type'] ?? '')?.[1];
    if (charset !== undefined && !UTF8.test(charset)) return done(new HttpError(415, 'BAD_REQUEST', 'Send the body as application/json in UTF-8.'), undefined);
    parse(request, body as string, (error, value) => {
      if (error && parsesAsPlainJson(body as string)) return done(new HttpError(400, 'BAD_REQUEST', 'The body may not hold the keys __proto__ or constructor.'), undefined);
      done(error, value);
    });
  });
}

function parsesAsPlainJson(body: string): boolean {
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}
