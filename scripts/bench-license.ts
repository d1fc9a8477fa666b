// `npm run bench:license`: the Clear Key license endpoint under load, side by side with a bare
// node:http server that answers the same JSON, each in its own process on loopback, driven by
// autocannon. Reports requests/s, p50/p99 latency, errors, and records lost (answered requests the
// run record does not hold). Targets: ≥ 0.8× the bare server's throughput, p99 < 5 ms, 0 errors, 0 lost.
// Requests are spread over many runs (PER_RUN each), as a run takes a bounded number of exchanges.
// @ts-expect-error autocannon ships no types; the options and result fields used here are documented in its README.
import autocannon from 'autocannon';
import { Command } from 'commander';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { KeyStore } from '../model/keystore.ts';
import { answerMessage, parseMessage } from '../server/clearkey.ts';

const program = new Command('bench-license')
  .description('Load-test the license endpoint against a bare node:http server (loopback only).')
  .option('-c, --connections <n>', 'concurrent connections', (v) => Number(v), 50)
  .option('-d, --duration <s>', 'seconds per measurement', (v) => Number(v), 10)
  .option('-r, --rounds <n>', 'alternating rounds per server (the best is reported)', (v) => Number(v), 2)
  .option('--json <file>', 'also write the results as JSON')
  .parse();
const opts = program.opts<{ connections: number; duration: number; rounds: number; json?: string }>();

const keys = KeyStore.load('media/keys.json');
const kid = keys.byLabel('key-1')!.kid;
const requestBody = JSON.stringify({ kids: [kid.toString('base64url')], type: 'temporary' });
const answerBody = JSON.stringify(answerMessage(parseMessage(Buffer.from(requestBody)), keys).body);

const BARE_SERVER = `
const http = require('node:http');
const body = Buffer.from(process.env.ANSWER);
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }); res.end(body); });
}).listen(0, '127.0.0.1', function () { console.log('listening on http://127.0.0.1:' + this.address().port); });
`;

function start(args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) resolve({ child, base: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

interface Measurement {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  answered: number;
}

/** License requests sent to one run before the next; well under the server's per-run cap. */
const PER_RUN = 5_000;

async function measure(url: string, paths?: () => string): Promise<Measurement> {
  const result = await autocannon({
    url,
    ...(paths ? { requests: [{ setupRequest: (req: object) => ({ ...req, path: paths() }) }] } : {}),
    method: 'POST',
    body: requestBody,
    headers: { 'content-type': 'application/octet-stream' },
    connections: opts.connections,
    duration: opts.duration,
  });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    answered: result['2xx'],
  };
}

const runsDir = await mkdtemp(join(tmpdir(), 'eme-bench-'));
const ours = await start(['--import', 'tsx', 'server/main.ts', '--port', '0', '--runs-dir', runsDir]);
const bare = await start(['-e', BARE_SERVER], { ANSWER: answerBody });
try {
  // Enough runs for 60k req/s over every round; each request takes the next slot.
  const runCount = Math.ceil((60_000 * opts.duration * opts.rounds) / PER_RUN);
  const runs: string[] = [];
  for (let i = 0; i < runCount; i++) {
    const created = (await (
      await fetch(`${ours.base}/api/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ scenario: 'lifecycle.temporary.keyids', project: 'bench' }),
      })
    ).json()) as { id: string };
    runs.push(created.id);
  }
  let sent = 0;
  const nextPath = () => {
    const id = runs[Math.min(runs.length - 1, Math.floor(sent++ / PER_RUN))]!;
    return `/license/${id}?session=s1&messageType=license-request`;
  };
  const oursUrl = `${ours.base}/license/${runs[0]}`;
  console.log(
    `bench: ${opts.connections} connections, ${opts.duration} s per measurement, ${opts.rounds} alternating rounds; ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  const results: { bare: Measurement[]; ours: Measurement[] } = { bare: [], ours: [] };
  for (let round = 1; round <= opts.rounds; round++) {
    results.bare.push(await measure(`${bare.base}/license`));
    results.ours.push(await measure(oursUrl, nextPath));
    console.log(
      `round ${round}: bare ${results.bare.at(-1)!.requestsPerSecond} req/s, eme-compat ${results.ours.at(-1)!.requestsPerSecond} req/s`,
    );
  }
  const best = (list: Measurement[]) => list.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
  const b = best(results.bare);
  const o = best(results.ours);
  const answered = results.ours.reduce((n, m) => n + m.answered, 0);
  let recorded = 0;
  for (const id of runs.slice(0, Math.ceil(sent / PER_RUN))) {
    const record = (await (await fetch(`${ours.base}/api/runs/${id}/record`)).json()) as { exchanges: unknown[] };
    recorded += record.exchanges.length;
  }
  // Requests still in flight when a measurement stops are recorded but not counted as answered.
  const lost = Math.max(0, answered - recorded);
  const ratio = o.requestsPerSecond / b.requestsPerSecond;
  const rows = [
    ['server', 'req/s', 'p50 ms', 'p99 ms', 'errors'],
    ['bare node:http', String(b.requestsPerSecond), String(b.p50), String(b.p99), String(b.errors)],
    ['eme-compat /license', String(o.requestsPerSecond), String(o.p50), String(o.p99), String(o.errors)],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  console.log(`\n${rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n')}`);
  console.log(
    `\nthroughput ratio ${ratio.toFixed(2)} (target ≥ 0.80); p99 ${o.p99} ms (target < 5); errors ${o.errors}; records lost ${lost} of ${answered} answered`,
  );
  const met = ratio >= 0.8 && o.p99 < 5 && o.errors === 0 && lost === 0;
  console.log(met ? 'targets met' : 'targets NOT met');
  if (opts.json) {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      opts.json,
      `${JSON.stringify(
        { connections: opts.connections, duration: opts.duration, bare: b, ours: o, ratio, lost, answered, met },
        null,
        2,
      )}\n`,
    );
  }
} finally {
  ours.child.kill('SIGTERM');
  bare.child.kill('SIGTERM');
  await rm(runsDir, { recursive: true, force: true });
}
