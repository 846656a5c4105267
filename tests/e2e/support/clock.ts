import { fork, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../..', import.meta.url).pathname;

/** A server of its own for one spec, on a fresh embedded database with the demo, whose clock the spec moves. */
export class ClockServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(port: number, env: Record<string, string> = {}): Promise<ClockServer> {
    const dir = join(tmpdir(), `holdspace-e2e-clock-${port}`);
    rmSync(dir, { recursive: true, force: true });
    const child = fork(join(root, 'tests/e2e/support/clock-server.ts'), [], {
      cwd: root,
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', PGLITE_DIR: join(dir, 'pglite'), LOG_LEVEL: 'warn', NODE_ENV: 'test', ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.once('message', (m: { url?: string }) => (m.url ? resolve(m.url) : reject(new Error('no url'))));
      child.once('exit', (code) => reject(new Error(`clock server exited with ${code}`)));
    });
    return new ClockServer(child, url);
  }

  /** Moves the server's clock forward; resolves once it has. */
  advanceDays(days: number): Promise<void> {
    return this.advance({ advanceDays: days });
  }

  advanceMinutes(minutes: number): Promise<void> {
    return this.advance({ advanceMinutes: minutes });
  }

  private advance(message: { advanceDays: number } | { advanceMinutes: number }): Promise<void> {
    return new Promise((resolve) => {
      this.child.once('message', () => resolve());
      this.child.send(message);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}
