import type { Spread } from './measure.js';

export interface LevelResult {
  circles: number;
  sockets: number;
  setupSeconds: number;
  seconds: number;
  sent: number;
  commandsPerSecond: number;
  toFacilitator: Spread;
  toAck: Spread;
  errors: number;
  errorKinds: Record<string, number>;
  serverCpuPercent: number;
  serverCpuMsPerCommand: number | null;
  serverRssMb: number;
  serverRssPeakMb: number;
  driverCpuPercent: number;
  loadAverage: number;
}

export const KNEE_P99_MS = 50;

/** Within bounds: p99 emit -> facilitator at most 50 ms, and no errors. */
export const withinKnee = (r: LevelResult) => r.errors === 0 && r.toFacilitator.n > 0 && r.toFacilitator.p99 <= KNEE_P99_MS;

/** The largest load a side carried within bounds, in circles (0 when not even the first level was). */
export function kneeOf(results: LevelResult[]): number {
  let knee = 0;
  for (const r of [...results].sort((a, b) => a.circles - b.circles)) {
    if (!withinKnee(r)) break;
    knee = r.circles;
  }
  return knee;
}

const pad = (v: unknown, n: number) => String(v).padStart(n);
const spreadCells = (s: Spread) => [s.p50, s.p95, s.p99, s.max].map((v) => pad(Number.isNaN(v) ? '-' : v, 8)).join('');

export function table(side: string, results: LevelResult[]): string {
  const head = `${pad('circles', 7)}${pad('sockets', 8)}${pad('cmd/s', 7)} │${pad('fac p50', 10)}${pad('p95', 8)}${pad('p99', 8)}${pad('max', 8)} │${pad('ack p50', 10)}${pad('p95', 8)}${pad('p99', 8)}${pad('max', 8)} │${pad('errors', 7)}${pad('cpu%', 7)}${pad('ms/cmd', 7)}${pad('rss MB', 7)}${pad('drv%', 6)}${pad('load', 6)}`;
  const rows = results.map(
    (r) =>
      `${pad(r.circles, 7)}${pad(r.sockets, 8)}${pad(r.commandsPerSecond, 7)} │  ${spreadCells(r.toFacilitator)} │  ${spreadCells(r.toAck)} │${pad(r.errors, 7)}${pad(r.serverCpuPercent, 7)}${pad(r.serverCpuMsPerCommand ?? '-', 7)}${pad(r.serverRssPeakMb, 7)}${pad(r.driverCpuPercent, 6)}${pad(r.loadAverage, 6)}`,
  );
  const errorLines = results.filter((r) => r.errors > 0).map((r) => `    at ${r.circles} circles: ${JSON.stringify(r.errorKinds)}`);
  return [`\n${side}`, head, ...rows, ...errorLines].join('\n');
}

/** Knee ratios and, at each level every side ran, the latency and CPU ratios of each side to the two baselines. */
export function ratios(knees: Record<string, number>, bySide: Record<string, LevelResult[]>) {
  const baselines = ['a', 'b'].filter((b) => bySide[b]);
  const out: Record<string, unknown> = {};
  const lines: string[] = ['\nratios (side / baseline)'];
  for (const side of Object.keys(bySide)) {
    for (const base of baselines) {
      if (side === base) continue;
      const key = `${side}/${base}`;
      const knee = knees[base] ? Math.round((knees[side]! / knees[base]!) * 100) / 100 : null;
      const levels = bySide[side]!.flatMap((r) => {
        const b = bySide[base]!.find((x) => x.circles === r.circles);
        if (!b) return [];
        const q = (x: number, y: number | null) => (y ? Math.round((x / y) * 10) / 10 : null);
        return [{ circles: r.circles, p50: q(r.toFacilitator.p50, b.toFacilitator.p50), p99: q(r.toFacilitator.p99, b.toFacilitator.p99), cpuPerCommand: q(r.serverCpuMsPerCommand ?? 0, b.serverCpuMsPerCommand), rss: q(r.serverRssPeakMb, b.serverRssPeakMb) }];
      });
      out[key] = { knee, levels };
      lines.push(`  ${key}: knee ${knee ?? '-'}x; ${levels.map((l) => `@${l.circles}: p50 ${l.p50}x p99 ${l.p99}x cpu/cmd ${l.cpuPerCommand}x rss ${l.rss}x`).join('; ')}`);
    }
  }
  return { json: out, text: lines.join('\n') };
}
