// Arrows point down: each top folder may import only the folders below it (ARCHITECTURE.md). The
// import cycles themselves are found by dpdm in npm test; this checks the direction of every arrow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/** folder → the project folders its files may import (besides their own). */
const MAY_IMPORT: Record<string, string[]> = {
  model: [],
  harness: ['model'],
  server: ['model', 'harness'],
  media: ['model'],
  pages: ['model'],
  report: ['model', 'harness'],
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|js|mjs)$/.test(name) ? [path] : [];
  });
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function arrows(): { from: string; to: string; file: string; spec: string }[] {
  const found = [];
  for (const top of Object.keys(MAY_IMPORT)) {
    for (const file of sources(top)) {
      for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const spec = (m[1] ?? m[2])!;
        const target = normalize(join(dirname(file), spec));
        found.push({ from: top, to: relative('.', target).split('/')[0]!, file, spec });
      }
    }
  }
  return found;
}

test('every import between top folders points down', () => {
  const all = arrows();
  assert.ok(all.length > 100, 'the scan found the imports');
  const wrong = all
    .filter((a) => a.to !== a.from && !MAY_IMPORT[a.from]!.includes(a.to))
    .map((a) => `${a.file} imports ${a.spec}`);
  assert.deepEqual(wrong, []);
});

test('model/ imports nothing of the project outside itself, and only zod from npm', () => {
  for (const file of sources('model')) {
    for (const m of readFileSync(file, 'utf8').matchAll(/from\s+['"]([^.'"][^'"]*)['"]/g)) {
      assert.ok(m[1] === 'zod' || m[1]!.startsWith('node:'), `${file} imports ${m[1]}`);
    }
  }
});
