// The tracer as scripts a browser can load, bundled by esbuild with trace-anything and the page helpers
// they import. Built once per process, in memory (~20 ms each):
// - tracerScript(): pages/js/tracer/tracer.js as an IIFE a driver injects before a page's own scripts
//   (no module syntax, nothing left in the page's global scope);
// - tracerModule(): pages/js/tracer/install.js as an ES module the runner's player module imports from
//   the server, to trace a player into its own recorder.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const SCRIPT_ENTRY = fileURLToPath(new URL('../../pages/js/tracer/tracer.js', import.meta.url));
const MODULE_ENTRY = fileURLToPath(new URL('../../pages/js/tracer/install.js', import.meta.url));

/** The version of trace-anything the bundles carry (pinned in package.json). */
export function traceAnythingVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('trace-anything/package.json') as { version: string }).version;
}

function bundle(entry: string, format: 'iife' | 'esm'): Promise<string> {
  return build({
    entryPoints: [entry],
    bundle: true,
    format,
    platform: 'browser',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
    banner: {
      js: `// eme-compat EME tracer; includes trace-anything ${traceAnythingVersion()} (Copyright 2021 Google Inc., Apache-2.0)`,
    },
  }).then((result) => {
    const file = result.outputFiles[0];
    if (!file) throw new Error(`esbuild wrote no bundle for ${entry}`);
    return file.text;
  });
}

let script: Promise<string> | null = null;
let module: Promise<string> | null = null;

export function tracerScript(): Promise<string> {
  script ??= bundle(SCRIPT_ENTRY, 'iife');
  return script;
}

export function tracerModule(): Promise<string> {
  module ??= bundle(MODULE_ENTRY, 'esm');
  return module;
}
