import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import proxyaddr from 'proxy-addr';

/** Where a request arrived: the Host it named and whether it came over https (as the trusted proxy says). */
export interface Reached {
  host: string | undefined;
  secure: boolean;
}

/**
 * Same-origin unless ALLOWED_ORIGINS names others. Compares the Origin header's scheme and host with those the
 * client reached, so it works behind a proxy that preserves Host (and says X-Forwarded-Proto): an http page is not
 * the https site's origin.
 */
export function isAllowedOrigin(origin: string | undefined, reached: Reached, allowed: string[]): boolean {
  if (!origin) return false;
  if (allowed.includes(origin.replace(/\/$/, ''))) return true;
  try {
    const url = new URL(origin);
    return url.host === reached.host && url.protocol === (reached.secure ? 'https:' : 'http:');
  } catch {
    return false;
  }
}

/**
 * For raw requests Fastify has not seen (Socket.IO's handshake): https when the socket is TLS, or when the peer is a
 * trusted proxy (TRUST_PROXY) and says so in X-Forwarded-Proto.
 */
export function reachedBy(trust: false | number | string[]): (req: IncomingMessage) => Reached {
  const trusted = trust === false ? () => false : typeof trust === 'number' ? () => trust > 0 : proxyaddr.compile(trust);
  return (req) => {
    const peer = req.socket.remoteAddress ?? '';
    const forwarded = String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]?.trim();
    const secure = (req.socket as TLSSocket).encrypted === true || (Boolean(forwarded) && trusted(peer, 0) && forwarded === 'https');
    return { host: req.headers.host, secure };
  };
}
