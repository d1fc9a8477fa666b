// Starts the harness server (Playwright's webServer runs this). Binds loopback unless told otherwise.
import { Command, InvalidArgumentError } from 'commander';
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { createHarness } from './app.ts';
import { KeyStore } from './keystore.ts';
import { RunStore } from './run-store.ts';
import { loadLicenseProfiles } from './license-proxy.ts';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is an integer from 0 to 65535');
  return n;
}

const program = new Command('eme-compat-server')
  .description('Serves pages/ and media/, the Clear Key license endpoint and the run recorder.')
  .option('-p, --port <port>', 'port to listen on (0 picks a free one)', port, Number(process.env['EME_PORT'] ?? 8787))
  .option('-H, --host <host>', 'address to bind; loopback by default', '127.0.0.1')
  .option('--runs-dir <dir>', 'where run records are written (JSONL, one file per run)', 'out/runs')
  .option('--keys <file>', 'Clear Key key store', 'media/keys.json')
  .option('--license-profiles <file>', 'upstream license servers for real DRM (proxy mode); see README', process.env['EME_LICENSE_PROFILES'])
  .showHelpAfterError()
  .parse();

const opts = program.opts<{ port: number; host: string; runsDir: string; keys: string; licenseProfiles?: string }>();

try {
  const keys = KeyStore.load(resolve(opts.keys));
  const store = await RunStore.open(resolve(opts.runsDir));
  const profiles = opts.licenseProfiles ? loadLicenseProfiles(resolve(opts.licenseProfiles)) : undefined;
  const server = createServer(createHarness({ store, keys, ...(profiles ? { profiles } : {}) }).listener);
  server.on('error', (err) => {
    console.error(`[server] cannot listen on ${opts.host}:${opts.port}: ${err.message}`);
    process.exit(1);
  });
  server.listen(opts.port, opts.host, () => {
    const address = server.address();
    const actual = typeof address === 'object' && address ? address.port : opts.port;
    console.log(`[server] eme-compat listening on http://${opts.host}:${actual} (${keys.size} keys, runs in ${opts.runsDir})`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (err) {
  console.error(`[server] ${(err as Error).message}`);
  process.exit(1);
}
