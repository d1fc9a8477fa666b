// The build cache (EME_BROWSER_CACHE): downloads/ keeps what was fetched (npm tarballs, .debs);
// builds/<family>@<major>/ holds one unpacked build with its manifest.json, written last, so a folder
// without a manifest is an install that did not finish. Also the builds Debian has installed on the
// system (/usr/bin/chromium, /usr/bin/firefox-esr), which need no install.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readConfig } from '../config.ts';
import { buildName, FAMILIES, type BuildSpec, type Family } from './spec.ts';

export const BuildDriver = z.enum(['playwright', 'puppeteer']);
export type BuildDriver = z.infer<typeof BuildDriver>;

export const BuildManifest = z.object({
  schemaVersion: z.literal(1),
  name: z.string(),
  family: z.enum(FAMILIES),
  major: z.number().int().positive(),
  /** The browser's own version (what it reports when driven), e.g. 119.0.6045.0 or 140.12.0esr. */
  version: z.string(),
  /** Where it came from, exactly: npm:@sparticuz/chromium@119.0.2, debian:firefox-esr=140.12.0esr-1~deb12u1. */
  source: z.string(),
  driver: BuildDriver,
  executablePath: z.string(),
  /** Flags the build needs beyond the harness's own. */
  args: z.array(z.string()).default([]),
  installedAt: z.string(),
  installMs: z.number().optional(),
});
export type BuildManifest = z.infer<typeof BuildManifest>;

/** An installed build, from the cache or the system's packages. */
export type Build = BuildManifest & { origin: 'cache' | 'system' };

export function cacheDir(): string {
  return readConfig().browserCache;
}
export const buildsDir = (cache = cacheDir()) => join(cache, 'builds');
export const downloadsDir = (cache = cacheDir()) => join(cache, 'downloads');
export const buildDir = (spec: BuildSpec, cache = cacheDir()) => join(buildsDir(cache), buildName(spec));

/**
 * Firefox ESR 140 rejects a command Playwright 1.64.1 sends over BiDi (network.addDataCollector), so
 * older ESRs go through puppeteer-core; Chromium of every version takes Playwright over CDP.
 */
export function driverFor(spec: BuildSpec): BuildDriver {
  return spec.family === 'firefox-esr' && spec.major < 153 ? 'puppeteer' : 'playwright';
}

export function readManifest(dir: string): BuildManifest | null {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) return null;
  const parsed = BuildManifest.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  return parsed.success && existsSync(parsed.data.executablePath) ? parsed.data : null;
}

/** Debian's package for a family, and where its installed binary lives. */
export const SYSTEM: Record<Family, { package: string; executable: string }> = {
  chromium: { package: 'chromium', executable: '/usr/bin/chromium' },
  'firefox-esr': { package: 'firefox-esr', executable: '/usr/bin/firefox-esr' },
};

/** The upstream version in a Debian package version: 156.0.8078.114-1~deb12u1 → 156.0.8078.114. */
export function upstreamVersion(packageVersion: string): string {
  return packageVersion.replace(/^\d+:/, '').replace(/-[^-]*$/, '');
}

const systemVersions = new Map<string, string | null>();
/** The installed version of a Debian package, or null (memoised: dpkg-query per process once). */
export function installedPackageVersion(pkg: string): string | null {
  if (!systemVersions.has(pkg)) {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
    const r = spawnSync('dpkg-query', ['-W', '-f', '${Status}\t${Version}', pkg], { encoding: 'utf8' });
    const [status, version] = (r.stdout ?? '').split('\t');
    systemVersions.set(pkg, r.status === 0 && status?.endsWith('installed') && version ? version : null);
  }
  return systemVersions.get(pkg) ?? null;
}

/** The system's build of a family when its major is the one asked for. */
export function systemBuild(spec: BuildSpec): Build | null {
  const sys = SYSTEM[spec.family];
  const pkgVersion = installedPackageVersion(sys.package);
  if (!pkgVersion || !existsSync(sys.executable)) return null;
  const version = upstreamVersion(pkgVersion);
  if (Number.parseInt(version, 10) !== spec.major) return null;
  return {
    schemaVersion: 1,
    name: buildName(spec),
    family: spec.family,
    major: spec.major,
    version,
    source: `debian:${sys.package}=${pkgVersion}`,
    driver: driverFor(spec),
    executablePath: sys.executable,
    args: [],
    installedAt: 'system',
    origin: 'system',
  };
}

/** The build installed for a spec (the system's first, then the cache's), or null. */
export function installedBuild(spec: BuildSpec, cache = cacheDir()): Build | null {
  const system = systemBuild(spec);
  if (system) return system;
  const manifest = readManifest(buildDir(spec, cache));
  return manifest ? { ...manifest, origin: 'cache' } : null;
}

/** Every build unpacked in the cache. */
export function cachedBuilds(cache = cacheDir()): Build[] {
  const dir = buildsDir(cache);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => !f.startsWith('.'))
    .flatMap((f) => {
      const m = readManifest(join(dir, f));
      return m ? [{ ...m, origin: 'cache' as const }] : [];
    });
}

/** Which Debian package a binary belongs to, as `debian:<pkg>=<version>`, or null (not from a package). */
export function packageSourceOf(path: string): string | null {
  const r = spawnSync('dpkg-query', ['-S', path], { encoding: 'utf8' });
  const pkg = r.status === 0 ? /^([^:,\s]+)/.exec(r.stdout)?.[1] : undefined;
  const version = pkg ? installedPackageVersion(pkg) : null;
  return pkg && version ? `debian:${pkg}=${version}` : null;
}
