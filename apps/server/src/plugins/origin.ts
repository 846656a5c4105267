/**
 * Same-origin unless ALLOWED_ORIGINS names others. Compares the Origin header's host with the Host the client
 * reached, so it works behind a proxy that preserves Host.
 */
export function isAllowedOrigin(origin: string | undefined, host: string | undefined, allowed: string[]): boolean {
  if (!origin) return false;
  if (allowed.includes(origin.replace(/\/$/, ''))) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
