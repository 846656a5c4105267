import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Marks a value sealed by SecretBox: version 1 is AES-256-GCM, 12-byte IV, 16-byte tag. */
export const SEALED_PREFIX = 'v1:';

/**
 * The server's own key: from SERVER_KEY (32 bytes, base64 or hex), or else generated once and kept in a file in
 * the data folder (mode 0600). Every node of one deployment must share it: sealed values and device cookies made
 * with one key are unreadable with another.
 */
export function loadServerKey(fromEnv: string | undefined, file: string): { key: Buffer; source: 'env' | 'file' | 'generated' } {
  if (fromEnv) return { key: parseKey(fromEnv, 'SERVER_KEY'), source: 'env' };
  try {
    return { key: parseKey(readFileSync(file, 'utf8').trim(), file), source: 'file' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(file), { recursive: true });
  const key = randomBytes(32);
  try {
    writeFileSync(file, `${key.toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    // Another process on the same folder wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { key: parseKey(readFileSync(file, 'utf8').trim(), file), source: 'file' };
    throw error;
  }
  chmodSync(file, 0o600);
  return { key, source: 'generated' };
}

function parseKey(text: string, where: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error(`${where}: the server key must be 32 bytes, as base64 or 64 hex digits (openssl rand -base64 32)`);
  return key;
}

/** Keys for each use, derived from the server key so one secret serves all. */
export class ServerKeys {
  private readonly sealing: Buffer;
  private readonly signing: Buffer;

  constructor(master: Buffer) {
    this.sealing = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'holdspace sealed values v1', 32));
    this.signing = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'holdspace signed cookies v1', 32));
  }

  /** AES-256-GCM; `context` (the row's id) is bound in, so a sealed value copied to another row does not open. */
  seal(plain: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealing, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return SEALED_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  open(sealed: string, context: string): string {
    if (!sealed.startsWith(SEALED_PREFIX)) throw new Error('not a sealed value');
    const raw = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.sealing, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }

  /** `value.signature`, HMAC-SHA256. */
  sign(value: string): string {
    return `${value}.${createHmac('sha256', this.signing).update(value).digest('base64url')}`;
  }

  /** The value of a signed string, or null when the signature does not match. */
  verify(signed: string | undefined): string | null {
    if (!signed) return null;
    const dot = signed.lastIndexOf('.');
    if (dot <= 0) return null;
    const value = signed.slice(0, dot);
    const expected = Buffer.from(this.sign(value).slice(dot + 1));
    const given = Buffer.from(signed.slice(dot + 1));
    return expected.length === given.length && timingSafeEqual(expected, given) ? value : null;
  }
}
