import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkStructure } from './check-structure.mjs';

let root: string;
function write(path: string, text: string) {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}
function fixture() {
  root = mkdtempSync(join(tmpdir(), 'hs-structure-'));
  write('packages/domain/package.json', '{"name":"@holdspace/domain"}');
  write('packages/domain/src/index.ts', "export * from './circle.js';\n");
  write('packages/domain/src/circle.ts', 'export const x = 1;\n');
  write('packages/protocol/package.json', '{"name":"@holdspace/protocol"}');
  write('packages/protocol/src/index.ts', "import { z } from 'zod';\nimport { x } from '@holdspace/domain';\n");
  write('apps/server/package.json', '{"name":"@holdspace/server"}');
  write('apps/server/src/app.ts', "import { x } from '@holdspace/protocol';\n");
}

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('structure check', () => {
  it('passes a tree that keeps the rules', () => {
    fixture();
    expect(checkStructure(root)).toEqual([]);
  });

  it('S1: fails when packages/domain imports a package', () => {
    fixture();
    write('packages/domain/src/circle.ts', "import { z } from 'zod';\nexport const x = z.string();\n");
    expect(checkStructure(root)).toEqual([expect.stringMatching(/^S1 packages\/domain\/src\/circle.ts: .*'zod'/)]);
  });

  it('S1: fails when packages/domain reaches outside itself by a relative path', () => {
    fixture();
    write('packages/domain/src/circle.ts', "import { y } from '../../protocol/src/index.js';\n");
    expect(checkStructure(root).some((p) => p.startsWith('S1'))).toBe(true);
  });

  it('S2: fails when a package imports from apps/', () => {
    fixture();
    write('packages/protocol/src/bad.ts', "import { buildApp } from '@holdspace/server';\n");
    expect(checkStructure(root)).toContainEqual(expect.stringMatching(/^S2 packages\/protocol\/src\/bad.ts/));
  });

  it('S3: fails on an import cycle between packages', () => {
    fixture();
    write('packages/domain/package.json', '{"name":"@holdspace/domain"}');
    write('packages/db/package.json', '{"name":"@holdspace/db"}');
    write('packages/db/src/index.ts', "import '@holdspace/protocol';\n");
    write('packages/protocol/src/more.ts', "import '@holdspace/db';\n");
    expect(checkStructure(root)).toEqual([expect.stringMatching(/^S3 .*@holdspace\/protocol -> @holdspace\/db -> @holdspace\/protocol/)]);
  });
});
