// Installs versioned browser builds into the cache, one isolated folder each, side by side with the
// system's browsers (never replacing them): npm builds are fetched with `npm pack` and inflated once;
// Debian builds are fetched with `apt-get download` and unpacked with `dpkg-deb -x`. An install is
// idempotent (an installed build is reported, not redone), reuses downloads, unpacks into a temporary
// folder renamed into place once it runs, and reports its progress line by line.
import { spawn, spawnSync } from 'node:child_process';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';
import { browserEnvironment, plainMessage } from '../browsers/processes.ts';
import {
  buildDir,
  cacheDir,
  downloadsDir,
  driverFor,
  installedBuild,
  type Build,
  type BuildManifest,
} from './cache.ts';
import { chooseSource, lookUpAvailable, sourceName, unavailableMessage, type Lookup, type Source } from './sources.ts';
import { buildName, type BuildSpec } from './spec.ts';

export type Progress = (line: string) => void;

export class InstallError extends Error {}

/** Runs a command; throws InstallError with its last words when it fails. */
function run(cmd: string, args: string[], cwd: string, what: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (r.status === 0) return r.stdout;
  const said = (r.stderr || r.stdout || r.error?.message || '').trim().split('\n').slice(-4).join(' | ');
  throw new InstallError(`${what} failed (${cmd} ${args.join(' ')}): ${said || `exit ${r.status}`}`);
}

/** Inflates a Brotli file: into a file, or (a .tar.br) through tar into a folder. */
async function inflate(file: string, into: { file: string } | { dir: string }): Promise<void> {
  const source = createReadStream(file, { highWaterMark: 2 ** 23 });
  const brotli = createBrotliDecompress({ chunkSize: 2 ** 21 });
  if ('file' in into) {
    await pipeline(source, brotli, createWriteStream(into.file, { mode: 0o755 }));
    return;
  }
  const tar = spawn('tar', ['-x', '--no-same-owner', '-C', into.dir], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  tar.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => tar.once('close', resolve));
  await pipeline(source, brotli, tar.stdin);
  const code = await exited;
  if (code !== 0) throw new InstallError(`tar could not unpack ${file}: ${stderr.trim() || `exit ${code}`}`);
}

async function unpackNpm(source: Extract<Source, { kind: 'npm' }>, tmp: string, progress: Progress) {
  const downloads = downloadsDir();
  const tgz = join(downloads, `${source.package.replace(/^@/, '').replace('/', '-')}-${source.version}.tgz`);
  if (existsSync(tgz)) progress(`using the download ${tgz}`);
  else {
    progress(`downloading ${source.package}@${source.version} from the npm registry (~60 MB)`);
    run(
      'npm',
      ['pack', `${source.package}@${source.version}`, '--pack-destination', downloads, '--silent'],
      downloads,
      'npm pack',
    );
    if (!existsSync(tgz)) throw new InstallError(`npm pack wrote no ${tgz}`);
  }
  progress('inflating the Chromium headless shell');
  const staged = join(tmp, 'package');
  run('tar', ['-xzf', tgz, '-C', tmp, '--no-same-owner', 'package/bin'], tmp, 'unpacking the npm tarball');
  const bin = join(staged, 'bin');
  await inflate(join(bin, 'chromium.br'), { file: join(tmp, 'chromium') });
  // SwiftShader (software GL/Vulkan) beside the binary, where it looks for it; fonts and Amazon
  // Linux's libraries are for AWS Lambda, and the system's serve here.
  if (existsSync(join(bin, 'swiftshader.tar.br'))) await inflate(join(bin, 'swiftshader.tar.br'), { dir: tmp });
  rmSync(staged, { recursive: true, force: true });
  return { executablePath: 'chromium', args: [] as string[] };
}

function unpackDebian(source: Extract<Source, { kind: 'debian' }>, tmp: string, progress: Progress) {
  const downloads = downloadsDir();
  const debs: string[] = [];
  for (const p of source.packages) {
    const prefix = `${p.name}_${p.version.replace(/:/g, '%3a')}_`;
    let deb = readdirSync(downloads).find((f) => f.startsWith(prefix) && f.endsWith('.deb'));
    if (deb) progress(`using the download ${deb}`);
    else {
      progress(`downloading ${p.name}=${p.version} from Debian's archive`);
      run('apt-get', ['download', `${p.name}=${p.version}`], downloads, 'apt-get download');
      deb = readdirSync(downloads).find((f) => f.startsWith(prefix) && f.endsWith('.deb'));
      if (!deb) throw new InstallError(`apt-get download wrote no ${prefix}*.deb in ${downloads}`);
    }
    debs.push(join(downloads, deb));
  }
  for (const deb of debs) {
    progress(`unpacking ${deb.replace(/^.*\//, '')}`);
    run('dpkg-deb', ['-x', deb, tmp], tmp, 'dpkg-deb -x');
  }
  const main = source.packages[0]!.name;
  return { executablePath: main === 'chromium' ? 'usr/lib/chromium/chromium' : `usr/lib/${main}/${main}`, args: [] };
}

/**
 * The version a binary reports: `--version` for full browsers. The headless shell ignores `--version`
 * (it starts a browser instead), so its version is read from the one version literal in the binary,
 * which is what it reports when driven (a run's report takes the version from the browser itself).
 */
function probeVersion(spec: BuildSpec, executablePath: string, kind: Source['kind']): string {
  if (kind === 'npm') {
    const r = spawnSync('grep', ['-aoE', `\\b${spec.major}\\.0\\.[0-9]{4}\\.[0-9]+\\b`, executablePath], {
      encoding: 'utf8',
      maxBuffer: 2 ** 20,
    });
    const counts = new Map<string, number>();
    for (const v of (r.stdout ?? '').split('\n').filter(Boolean)) counts.set(v, (counts.get(v) ?? 0) + 1);
    const version = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    if (!version) throw new InstallError(`no ${spec.major}.0.x.y version found inside ${executablePath}`);
    return version;
  }
  const { env } = browserEnvironment();
  const r = spawnSync(executablePath, ['--version'], { encoding: 'utf8', env, timeout: 30_000 });
  const version = /(\d+\.\d+[\w.]*)/.exec(r.stdout ?? '')?.[1];
  if (!version)
    throw new InstallError(`${executablePath} --version said nothing usable: ${(r.stderr || r.stdout).trim()}`);
  return version;
}

export interface InstallOptions {
  progress?: Progress;
  /** A lookup made already (several installs share one). */
  available?: Lookup;
}

/** Installs one build unless it is installed; returns it. Throws InstallError with one clear message. */
export async function installBuild(spec: BuildSpec, options: InstallOptions = {}): Promise<Build> {
  const name = buildName(spec);
  const progress: Progress = (line) => options.progress?.(`${name}: ${line}`);
  const have = installedBuild(spec);
  if (have) {
    progress(`installed (${have.version}, ${have.source})`);
    return have;
  }
  const started = performance.now();
  const available = options.available ?? lookUpAvailable();
  const source = chooseSource(spec, available);
  if (!source) {
    const offline = spec.family === 'chromium' && available.npmError ? ` (npm: ${available.npmError})` : '';
    throw new InstallError(`${unavailableMessage(spec, available)}${offline}`);
  }
  progress(`installing from ${sourceName(source)}`);
  const cache = cacheDir();
  mkdirSync(downloadsDir(cache), { recursive: true });
  const dest = buildDir(spec, cache);
  const tmp = `${dest}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    const unpacked =
      source.kind === 'npm' ? await unpackNpm(source, tmp, progress) : unpackDebian(source, tmp, progress);
    const version = probeVersion(spec, join(tmp, unpacked.executablePath), source.kind);
    if (Number.parseInt(version, 10) !== spec.major)
      throw new InstallError(`${sourceName(source)} reports version ${version}, not ${spec.major}`);
    rmSync(dest, { recursive: true, force: true });
    renameSync(tmp, dest);
    const manifest: BuildManifest = {
      schemaVersion: 1,
      name,
      family: spec.family,
      major: spec.major,
      version,
      source: sourceName(source),
      driver: driverFor(spec),
      executablePath: join(dest, unpacked.executablePath),
      args: unpacked.args,
      installedAt: new Date().toISOString(),
      installMs: Math.round(performance.now() - started),
    };
    writeFileSync(join(dest, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    progress(`ready: ${version} in ${((performance.now() - started) / 1000).toFixed(1)} s → ${dest}`);
    return { ...manifest, origin: 'cache' };
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (err instanceof InstallError) throw new InstallError(`${name}: ${err.message}`);
    throw new InstallError(`${name}: ${plainMessage(err)}`);
  }
}

/**
 * Installs several builds in order (one lookup for all). Every missing build is checked to be available
 * before anything is downloaded; an install that fails stops the rest.
 */
export async function installBuilds(specs: BuildSpec[], progress?: Progress): Promise<Build[]> {
  const missing = specs.filter((s) => !installedBuild(s));
  const available = missing.length ? lookUpAvailable() : undefined;
  if (available) {
    const unavailable = missing.filter((s) => !chooseSource(s, available));
    if (unavailable.length) {
      const offline = available.npmError ? ` (npm: ${available.npmError})` : '';
      throw new InstallError(`${unavailable.map((s) => unavailableMessage(s, available)).join('; ')}${offline}`);
    }
  }
  const builds: Build[] = [];
  for (const spec of specs)
    builds.push(await installBuild(spec, { ...(progress ? { progress } : {}), ...(available ? { available } : {}) }));
  return builds;
}
