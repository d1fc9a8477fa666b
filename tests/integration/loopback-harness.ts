// The harness server in-process on a free loopback port, for integration tests that drive it (or a
// browser against it) directly, with a throwaway runs folder.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServerApp } from '../../server/app.ts';
import { KeyStore } from '../../model/keystore.ts';
import { RunStore } from '../../server/run-store.ts';
import { createHarnessServer } from '../../server/http-server.ts';
import type { RunRecord } from '../../model/record.ts';

export interface LoopbackHarness {
  base: string;
  store: RunStore;
  /** Registers a run of `scenario` and returns its id. */
  newRun(scenario: string, project: string): Promise<string>;
  /** The run's record once the page has reported (or the store's timeout error). */
  finished(runId: string, timeoutMs?: number): Promise<RunRecord>;
  close(): Promise<void>;
}

export async function startLoopbackHarness(name: string): Promise<LoopbackHarness> {
  const store = await RunStore.open(await mkdtemp(join(tmpdir(), `eme-${name}-`)));
  const server = createHarnessServer(createServerApp({ store, keys: KeyStore.load('media/keys.json') }).listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    base,
    store,
    async newRun(scenario, project) {
      const response = await fetch(`${base}/api/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ scenario, project }),
      });
      if (response.status !== 201)
        throw new Error(`POST /api/runs answered ${response.status}: ${await response.text()}`);
      return ((await response.json()) as { id: string }).id;
    },
    async finished(runId, timeoutMs = 20_000) {
      await store.waitForFinish(runId, timeoutMs);
      return store.record(runId);
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await store.close();
    },
  };
}
