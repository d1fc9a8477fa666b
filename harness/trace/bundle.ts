// The tracer as one script a driver can inject before a page's own: pages/js/tracer/tracer.js with
// trace-anything and the page helpers it imports, bundled by esbuild into an IIFE (no module syntax,
// nothing left in the page's global scope). Built once per process, in memory (~20 ms).
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('../../pages/js/tracer/tracer.js', import.meta.url));

let cached: Promise<string> | null = null;

/** The version of trace-anything the bundle carries (pinned in package.json). */
export function traceAnythingVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('trace-anything/package.json') as { version: string }).version;
}

export function tracerScript(): Promise<string> {
  cached ??= build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
    banner: {
      js: `// eme-compat EME tracer; includes trace-anything ${traceAnythingVersion()} (Copyright 2021 Google Inc., Apache-2.0)`,
    },
  }).then((result) => {
    const file = result.outputFiles[0];
    if (!file) throw new Error('esbuild wrote no tracer bundle');
    return file.text;
  });
  return cached;
}
