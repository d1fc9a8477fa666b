// Starts the harness server: `npm run server`, `eme-compat serve`, and Playwright's webServer run this.
// Binds loopback unless told otherwise. SIGTERM/SIGINT stop it within SHUTDOWN_MS even with slow
// clients connected: listeners close, long polls answer, writes finish, then open connections are cut.
import { Command, InvalidArgumentError, Option } from 'commander';
import { hostname, networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import { makeCertificate } from './tls.ts';
import { createServerApp, type Origins } from './app.ts';
import { KeyStore } from '../model/keystore.ts';
import { readConfig, webOrigin } from '../harness/config.ts';
import { RunStore } from './run-store.ts';
import { loadLicenseProfiles } from './license-proxy.ts';
import { createHarnessHttpsServer, createHarnessServer } from './http-server.ts';

/** SIGTERM to exit, at most. */
export const SHUTDOWN_MS = 5_000;
/** Connections still open this long after SIGTERM are cut. */
const GRACE_MS = 2_000;

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('a port is an integer from 0 to 65535');
  return n;
}

export interface ServeOptions {
  port: number;
  host: string;
  runsDir: string;
  keys: string;
  licenseProfiles?: string;
  https: boolean;
  httpsPort?: number;
  insecureHost: string;
  allowHost: string[];
  /** Player page origins allowed CORS to media and licenses. */
  corsOrigin: string[];
}

/** One --cors-origin, added to those before it; the first replaces the EME_CORS_ORIGINS default. */
function corsOrigin(defaults: string[]) {
  return (value: string, previous: string[]): string[] => {
    let origin: string;
    try {
      origin = webOrigin(value);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
    return [...(previous === defaults ? [] : previous), origin];
  };
}

/** The `serve` command's options, shared by server/main.ts run directly and `eme-compat serve`. */
export function serveCommand(name: string): Command {
  const envCors = readConfig().corsOrigins;
  return new Command(name)
    .description('Serves pages/ and media/, the Clear Key license endpoint and the run recorder (until SIGTERM).')
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
      '--allow-host <names...>',
      'more host names the server answers to (requests naming any other host are refused: DNS rebinding)',
      [],
    )
    .addOption(
      new Option(
        '--cors-origin <origin>',
        'a player page origin (scheme://host[:port]) that may fetch media and licenses cross-origin; repeatable',
      )
        .argParser(corsOrigin(envCors))
        .default(envCors, envCors.length ? `EME_CORS_ORIGINS: ${envCors.join(', ')}` : 'none'),
    )
    .option(
      '--license-profiles <file>',
      'upstream license servers for real DRM (proxy mode); see README',
      readConfig().licenseProfiles,
    )
    .showHelpAfterError()
    .action(async (opts: ServeOptions) => {
      await startServer(opts);
    });
}

/** The host names a server bound to `host` answers to, beyond loopback. */
function servedHostNames(opts: ServeOptions): string[] {
  const names = [opts.insecureHost, ...opts.allowHost];
  const wildcard = opts.host === '0.0.0.0' || opts.host === '::';
  if (!wildcard) names.push(opts.host.includes(':') ? `[${opts.host}]` : opts.host);
  else {
    // Reachable from elsewhere: the machine's own names and addresses are how browsers there reach it.
    names.push(hostname());
    for (const list of Object.values(networkInterfaces()))
      for (const a of list ?? []) names.push(a.family === 'IPv6' ? `[${a.address}]` : a.address);
  }
  return names;
}

function listen(server: Server | import('node:https').Server, host: string, at: number, what: string): Promise<number> {
  return new Promise((resolveListen, reject) => {
    server.once('error', (err) => reject(new Error(`cannot listen for ${what} on ${host}:${at}: ${err.message}`)));
    server.listen(at, host, () => {
      const address = server.address();
      resolveListen(typeof address === 'object' && address ? address.port : at);
    });
  });
}

export async function startServer(opts: ServeOptions): Promise<void> {
  try {
    const keys = KeyStore.load(resolve(opts.keys));
    const store = await RunStore.open(resolve(opts.runsDir));
    for (const p of store.startupProblems) console.warn(`[server] run file ${p.file}: ${p.problem}`);
    const profiles = opts.licenseProfiles ? loadLicenseProfiles(resolve(opts.licenseProfiles)) : undefined;
    // One harness behind both listeners: the origins differ, the runs and key store are shared. The
    // origins object is filled in once the ports are known (the app reads it per request).
    const origins: Origins = {};
    const { listener, policy } = createServerApp({
      store,
      keys,
      origins,
      hostNames: servedHostNames(opts),
      corsOrigins: opts.corsOrigin,
      ...(profiles ? { profiles } : {}),
    });
    const servers: Server[] = [];
    const httpServer = createHarnessServer(listener);
    servers.push(httpServer);
    const certificate = opts.https ? await makeCertificate(['localhost', opts.insecureHost]) : null;
    const httpsServer = certificate ? createHarnessHttpsServer(certificate, listener) : null;
    if (httpsServer) servers.push(httpsServer);
    // HTTPS first: the health check (plain HTTP) must not answer before every origin is up.
    if (httpsServer) {
      const httpsPort = await listen(
        httpsServer,
        opts.host,
        opts.httpsPort ?? (opts.port === 0 ? 0 : opts.port + 1),
        'HTTPS',
      );
      origins.https = `https://127.0.0.1:${httpsPort}`;
    }
    const httpPort = await listen(httpServer, opts.host, opts.port, 'HTTP');
    origins.insecure = `http://${opts.insecureHost}:${httpPort}`;
    console.log(
      `[server] eme-compat listening on http://${opts.host}:${httpPort}${origins.https ? ` and ${origins.https}` : ''} (${keys.size} keys, runs in ${opts.runsDir}; answers to ${policy.hostNames.join(', ')}${policy.corsOrigins.length ? `; CORS for ${policy.corsOrigins.join(', ')}` : ''})`,
    );
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      setTimeout(() => {
        console.error(`[server] ${signal}: still busy after ${SHUTDOWN_MS} ms; exiting`);
        process.exit(1);
      }, SHUTDOWN_MS).unref();
      const closed = Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
      for (const s of servers) s.closeIdleConnections();
      const cut = setTimeout(() => {
        for (const s of servers) s.closeAllConnections();
      }, GRACE_MS);
      await store.close();
      await closed;
      clearTimeout(cut);
      process.exit(0);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
  } catch (err) {
    console.error(`[server] ${(err as Error).message}`);
    process.exit(1);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await serveCommand('eme-compat-server').parseAsync();
  } catch (err) {
    // A bad EME_* variable: its message, not a stack trace.
    console.error(`[server] ${(err as Error).message}`);
    process.exit(1);
  }
}
