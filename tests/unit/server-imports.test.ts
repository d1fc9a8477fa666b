// The license server process loads the catalog's data, never the judge: the server's import graph,
// walked from server/main.ts by dpdm (type-only imports included), holds harness/catalog.ts and no
// module under harness/judge/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDependencyTree } from 'dpdm';

test('the server imports the catalog data and no judge module', async () => {
  const tree = await parseDependencyTree(['server/main.ts'], {
    context: process.cwd(),
    transform: false,
    skipDynamicImports: false,
  });
  const files = Object.keys(tree).filter((f) => !f.startsWith('node:') && !f.includes('node_modules'));
  assert.ok(
    files.includes('server/app.ts') && files.includes('harness/catalog.ts') && files.includes('model/page-params.ts'),
    `the walk found the server's modules: ${files.join(', ')}`,
  );
  assert.deepEqual(
    files.filter((f) => f.startsWith('harness/judge/')),
    [],
  );
});
