// Where a build can come from: Debian's archive (apt-cache madison) and the npm registry
// (@sparticuz/chromium, a compressed Chromium headless shell inside the package). chooseSource() is the
// pure choice; the lookups ask apt and npm through their own clients.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, SYSTEM, upstreamVersion } from './cache.ts';
import { buildName, type BuildSpec, type Family } from './spec.ts';

export const NPM_CHROMIUM = '@sparticuz/chromium';

export type Source =
  | { kind: 'debian'; packages: { name: string; version: string }[]; version: string }
  | { kind: 'npm'; package: string; version: string };

export function sourceName(source: Source): string {
  return source.kind === 'npm'
    ? `npm:${source.package}@${source.version}`
    : `debian:${source.packages[0]!.name}=${source.packages[0]!.version}`;
}

export interface Available {
  /** Debian package versions by package name (apt-cache madison). */
  debian: Record<string, string[]>;
  /** Published versions of the npm package; null when the registry could not be asked. */
  npm: string[] | null;
}

/** Debian's Chromium needs its resources package of the very same version beside it. */
const DEBIAN_COMPANIONS: Record<Family, string[]> = { chromium: ['chromium-common'], 'firefox-esr': [] };

/**
 * The source of a build: Debian's archive first (the distribution's own build, unpacked side by side),
 * else the newest release (no prerelease) of that major on npm (Chromium only).
 */
export function chooseSource(spec: BuildSpec, available: Available): Source | null {
  const main = SYSTEM[spec.family].package;
  const debian = (available.debian[main] ?? [])
    .filter((v) => Number.parseInt(upstreamVersion(v), 10) === spec.major)
    .filter((v) => DEBIAN_COMPANIONS[spec.family].every((c) => available.debian[c]?.includes(v)));
  if (debian.length) {
    const version = debian.sort(compareVersions).at(-1)!;
    return {
      kind: 'debian',
      version,
      packages: [main, ...DEBIAN_COMPANIONS[spec.family]].map((name) => ({ name, version })),
    };
  }
  if (spec.family !== 'chromium' || !available.npm) return null;
  const npm = available.npm.filter((v) => /^\d+\.\d+\.\d+$/.test(v) && Number.parseInt(v, 10) === spec.major);
  return npm.length ? { kind: 'npm', package: NPM_CHROMIUM, version: npm.sort(compareVersions).at(-1)! } : null;
}

/** The majors each place offers, for a message naming what can be had. */
export function offeredMajors(family: Family, available: Available): { debian: number[]; npm: number[] } {
  const majors = (vs: string[]) =>
    [...new Set(vs.map((v) => Number.parseInt(upstreamVersion(v), 10)))].sort((a, b) => a - b);
  return {
    debian: majors(available.debian[SYSTEM[family].package] ?? []),
    npm: family === 'chromium' ? majors((available.npm ?? []).filter((v) => /^\d+\.\d+\.\d+$/.test(v))) : [],
  };
}

/** Why a spec cannot be installed, naming what can. */
export function unavailableMessage(spec: BuildSpec, available: Available): string {
  const offer = offeredMajors(spec.family, available);
  const parts = [`Debian's archive has ${offer.debian.join(', ') || 'none'}`];
  if (spec.family === 'chromium')
    parts.push(
      available.npm
        ? `npm ${NPM_CHROMIUM} has ${offer.npm.join(', ')}`
        : `the npm registry could not be asked for ${NPM_CHROMIUM}`,
    );
  return `${buildName(spec)} is not available: ${parts.join('; ')}`;
}

export function compareVersions(a: string, b: string): number {
  const pa = a
    .split(/[^0-9]+/)
    .filter(Boolean)
    .map(Number);
  const pb = b
    .split(/[^0-9]+/)
    .filter(Boolean)
    .map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** `apt-cache madison` lines: ` chromium | 150.0.7871.100-1~deb12u1 | http://… bookworm/main amd64 Packages`. */
export function parseMadison(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of text.split('\n')) {
    const [name, version] = line.split('|').map((x) => x.trim());
    if (!name || !version) continue;
    const list = (out[name] ??= []);
    if (!list.includes(version)) list.push(version);
  }
  return out;
}

function debianVersions(): Record<string, string[]> {
  const packages = [
    ...new Set(Object.values(SYSTEM).map((s) => s.package)),
    ...Object.values(DEBIAN_COMPANIONS).flat(),
  ];
  const r = spawnSync('apt-cache', ['madison', ...packages], { encoding: 'utf8' });
  return r.status === 0 ? parseMadison(r.stdout) : {};
}

const NPM_LIST_MAX_AGE_MS = 24 * 3600_000;

/**
 * The npm package's versions, asked of the registry with `npm view` and kept for a day in the cache; when
 * the registry cannot be reached the kept list serves (an install then fails at its download, with the
 * registry's words). `fresh` skips the kept list.
 */
function npmVersions(cache: string, fresh: boolean): { versions: string[] | null; error: string | null } {
  const kept = join(cache, 'npm-versions.json');
  let keptList: { at: number; versions: string[] } | null = null;
  try {
    keptList = existsSync(kept) ? (JSON.parse(readFileSync(kept, 'utf8')) as { at: number; versions: string[] }) : null;
  } catch {
    keptList = null;
  }
  if (keptList && !fresh && Date.now() - keptList.at < NPM_LIST_MAX_AGE_MS)
    return { versions: keptList.versions, error: null };
  const r = spawnSync('npm', ['view', NPM_CHROMIUM, 'versions', '--json'], { encoding: 'utf8', timeout: 60_000 });
  if (r.status === 0) {
    const versions = JSON.parse(r.stdout) as string[];
    mkdirSync(cache, { recursive: true });
    writeFileSync(kept, JSON.stringify({ at: Date.now(), versions }));
    return { versions, error: null };
  }
  const error = (r.stderr || r.error?.message || `npm exited ${r.status}`).trim().split('\n').slice(0, 3).join(' ');
  return { versions: keptList?.versions ?? null, error };
}

export interface Lookup extends Available {
  /** Why the npm registry could not be asked, if it could not. */
  npmError: string | null;
}

export function lookUpAvailable(options: { cache?: string; fresh?: boolean; npm?: boolean } = {}): Lookup {
  const npm =
    options.npm === false ? { versions: null, error: null } : npmVersions(options.cache ?? cacheDir(), !!options.fresh);
  return { debian: debianVersions(), npm: npm.versions, npmError: npm.error };
}
