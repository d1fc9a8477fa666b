// Starts the harness server (Playwright's webServer runs this). Binds loopback unless told otherwise.
import { Command, InvalidArgumentError } from 'commander';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { makeCertificate } from './tls.ts';
import { resolve } from 'node:path';
import { createServerApp, type Origins } from './app.ts';
import { KeyStore } from '../model/keystore.ts';
import { readConfig } from '../harness/config.ts';
import { RunStore } from './run-store.ts';
import { loadLicenseProfiles } from './license-proxy.ts';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('a port is an integer from 0 to 65535');
  return n;
}

const program = new Command('eme-compat-server')
  .description('Serves pages/ and media/, the Clear Key license endpoint and the run recorder.')
  .option('-p, --port <port>', 'port to listen on (0 picks a free one)', port, readConfig().port)
  .option('-H, --host <host>', 'address to bind; loopback by default', '127.0.0.1')
  .option('--runs-dir <dir>', 'where run records are written (JSONL, one file per run)', 'out/runs')
  .option('--keys <file>', 'Clear Key key store', 'media/keys.json')
  .option(
    '--https-port <port>',
    'also serve HTTPS here, a second origin (default: --port + 1; 0 picks a free one)',
    port,
  )
  .option('--no-https', 'serve plain HTTP only')
  .option(
    '--insecure-host <name>',
    'a host name browsers map to 127.0.0.1, for the insecure-origin scenario',
    'eme.test',
  )
  .option(
    '--license-profiles <file>',
    'upstream license servers for real DRM (proxy mode); see README',
    readConfig().licenseProfiles,
  )
  .showHelpAfterError()
  .parse();

const opts = program.opts<{
  port: number;
  host: string;
  runsDir: string;
  keys: string;
  licenseProfiles?: string;
  https: boolean;
  httpsPort?: number;
  insecureHost: string;
}>();

function listen(server: import('node:net').Server, port: number, what: string): Promise<number> {
  return new Promise((resolveListen) => {
    server.on('error', (err) => {
      console.error(`[server] cannot listen for ${what} on ${opts.host}:${port}: ${err.message}`);
      process.exit(1);
    });
    server.listen(port, opts.host, () => {
      const address = server.address();
      resolveListen(typeof address === 'object' && address ? address.port : port);
    });
  });
}

try {
  const keys = KeyStore.load(resolve(opts.keys));
  const store = await RunStore.open(resolve(opts.runsDir));
  const profiles = opts.licenseProfiles ? loadLicenseProfiles(resolve(opts.licenseProfiles)) : undefined;
  // One harness behind both listeners: the origins differ, the runs and key store are shared. The
  // origins object is filled in once the ports are known (the app reads it per request).
  const origins: Origins = {};
  const { listener } = createServerApp({ store, keys, origins, ...(profiles ? { profiles } : {}) });
  const servers: import('node:net').Server[] = [];
  const httpServer = createServer(listener);
  servers.push(httpServer);
  const certificate = opts.https ? await makeCertificate(['localhost', opts.insecureHost]) : null;
  const httpsServer = certificate
    ? createHttpsServer({ key: certificate.key, cert: certificate.cert }, listener)
    : null;
  if (httpsServer) servers.push(httpsServer);
  // HTTPS first: the health check (plain HTTP) must not answer before every origin is up.
  if (httpsServer) {
    const httpsPort = await listen(httpsServer, opts.httpsPort ?? (opts.port === 0 ? 0 : opts.port + 1), 'HTTPS');
    origins.https = `https://127.0.0.1:${httpsPort}`;
  }
  const httpPort = await listen(httpServer, opts.port, 'HTTP');
  origins.insecure = `http://${opts.insecureHost}:${httpPort}`;
  console.log(
    `[server] eme-compat listening on http://${opts.host}:${httpPort}${origins.https ? ` and ${origins.https}` : ''} (${keys.size} keys, runs in ${opts.runsDir})`,
  );
  const stop = () => {
    let open = servers.length;
    for (const server of servers) server.close(() => --open === 0 && process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (err) {
  console.error(`[server] ${(err as Error).message}`);
  process.exit(1);
}
