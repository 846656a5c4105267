import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { fail } from '@holdspace/protocol';

/** sha256 sources of the inline scripts SvelteKit writes into index.html, so the CSP can allow exactly those. */
export function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
    (m) => `'sha256-${createHash('sha256').update(m[1] ?? '').digest('base64')}'`,
  );
}

export function readIndexHtml(dist: string): string | null {
  const file = join(dist, 'index.html');
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
}

/** Serves the built SPA: files as they are, and index.html for every other non-API GET (client-side routes). */
export async function registerWeb(app: FastifyInstance, dist: string, indexHtml: string | null) {
  if (indexHtml) {
    await app.register(fastifyStatic, {
      root: dist,
      wildcard: false,
      index: false,
      maxAge: '1h',
      setHeaders: (reply, path) => {
        if (path.includes('/_app/immutable/')) reply.header('cache-control', 'public, max-age=31536000, immutable');
      },
    });
  }
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (request.method === 'GET' && !path.startsWith('/api') && !path.startsWith('/socket.io')) {
      if (!indexHtml) {
        return reply
          .status(503)
          .type('text/plain')
          .send('The Holdspace web app has not been built. Run `pnpm build` (or `pnpm start`, which builds it).');
      }
      return reply.type('text/html').header('cache-control', 'no-cache').send(indexHtml);
    }
    // The path is not echoed: answers never carry back what a client sent (a 5 KB path, a payload).
    return reply.status(404).send(fail('NOT_FOUND', 'No such endpoint.'));
  });
}
