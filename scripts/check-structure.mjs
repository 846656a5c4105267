#!/usr/bin/env node
// The architecture as rules a script can check (run by `pnpm lint`):
//   S1 packages/domain imports nothing but its own files (tests may use vitest and fast-check).
//   S2 nothing imports from apps/ (an app is a composition root); only tests/ may drive an app.
//   S3 workspace packages import each other without cycles.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = /\.(ts|mts|js|mjs|svelte)$/;
const SKIP = new Set(['node_modules', '.svelte-kit', 'build', 'dist', 'migrations', 'test-results', 'playwright-report']);
const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (SOURCE.test(name)) out.push(p);
  }
  return out;
}

export function importsOf(source) {
  const found = [];
  for (const m of source.matchAll(IMPORT)) found.push(m[1] ?? m[2] ?? m[3]);
  return found.filter(Boolean);
}

function workspaces(root) {
  const list = [];
  for (const group of ['apps', 'packages']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) {
      const pkgFile = join(base, name, 'package.json');
      if (!existsSync(pkgFile)) continue;
      list.push({ name: JSON.parse(readFileSync(pkgFile, 'utf8')).name, dir: join(base, name), group });
    }
  }
  const tests = join(root, 'tests', 'package.json');
  if (existsSync(tests)) list.push({ name: JSON.parse(readFileSync(tests, 'utf8')).name, dir: join(root, 'tests'), group: 'tests' });
  return list;
}

function findCycle(graph) {
  const state = new Map();
  const stack = [];
  const visit = (node) => {
    state.set(node, 'active');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'active') return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    if (!state.has(node)) {
      const cycle = visit(node);
      if (cycle) return cycle;
    }
  }
  return null;
}

/** Returns the violations found under `root`, each a readable sentence. */
export function checkStructure(root) {
  const problems = [];
  const pkgs = workspaces(root);
  const byName = new Map(pkgs.map((p) => [p.name, p]));
  const appDirs = pkgs.filter((p) => p.group === 'apps').map((p) => p.dir + sep);
  const graph = new Map(pkgs.map((p) => [p.name, new Set()]));

  for (const pkg of pkgs) {
    for (const file of walk(pkg.dir)) {
      const rel = relative(root, file);
      const isTest = /\.test\.(ts|mts|js|mjs)$/.test(file);
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        const relativeImport = spec.startsWith('.');
        const target = relativeImport ? resolve(dirname(file), spec) : null;
        const bare = relativeImport ? null : spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];

        if (pkg.name === '@holdspace/domain') {
          const outside = relativeImport ? !target.startsWith(pkg.dir + sep) : !(isTest && (bare === 'vitest' || bare === 'fast-check'));
          if (outside) problems.push(`S1 ${rel}: packages/domain must import nothing outside itself, but imports '${spec}'`);
        }

        const importedPkg = bare ? byName.get(bare) : pkgs.find((p) => target.startsWith(p.dir + sep));
        if (importedPkg && importedPkg !== pkg) {
          graph.get(pkg.name).add(importedPkg.name);
          if (importedPkg.group === 'apps' && pkg.group !== 'tests') {
            problems.push(`S2 ${rel}: nothing may import from apps/, but this imports '${spec}' (${importedPkg.name})`);
          }
        } else if (target && pkg.group !== 'apps' && appDirs.some((d) => target.startsWith(d))) {
          problems.push(`S2 ${rel}: nothing may import from apps/, but this imports '${spec}'`);
        }
      }
    }
  }

  const cycle = findCycle(graph);
  if (cycle) problems.push(`S3 workspace packages import each other in a cycle: ${cycle.join(' -> ')}`);
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const problems = checkStructure(root);
  if (problems.length) {
    console.error(`Structure check failed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exit(1);
  }
  console.log('Structure check passed: domain imports nothing, nothing imports from apps/, no package cycles.');
}
