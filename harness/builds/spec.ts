// Names of versioned browser builds: `chromium@119`, `firefox-esr@140`, lists such as
// `chromium@92,119,153 firefox-esr@140,153` (a bare major continues the family before it), and named
// sets of builds (`versions`). Pure: no files, no network.

export const FAMILIES = ['chromium', 'firefox-esr'] as const;
export type Family = (typeof FAMILIES)[number];

export interface BuildSpec {
  family: Family;
  major: number;
}

/** The project name a build runs under, and its folder in the cache: `<family>@<major>`. */
export function buildName(spec: BuildSpec): string {
  return `${spec.family}@${spec.major}`;
}

export function engineOf(family: Family): 'chromium' | 'firefox' {
  return family === 'chromium' ? 'chromium' : 'firefox';
}

/** Named sets of builds. `versions` spans what the npm registry and Debian's archive hold. */
export const BUILD_SETS: Record<string, string> = {
  versions: 'chromium@92,103,110,119,126,133,138,143,150,153,156 firefox-esr@140,153',
  /** Two small npm builds: what `npm test` sweeps so the machinery cannot rot. */
  'versions-smoke': 'chromium@110,119',
};

/** True when a browser selection (EME_BROWSERS, --browsers) names builds rather than only profile sets. */
export function namesBuilds(selection: string): boolean {
  return /@/.test(selection) || selection.split(/[\s,]+/).some((t) => t in BUILD_SETS);
}

export type SelectionItem = { kind: 'set'; name: string } | { kind: 'build'; spec: BuildSpec };

/**
 * Reads a selection: tokens split on commas and spaces; `family@major` names a build, a bare major
 * continues the last family named, a name of BUILD_SETS expands to its builds, and any other word is
 * left as a profile set name. Duplicate builds are dropped; bad tokens throw with the token named.
 */
export function parseSelection(selection: string): SelectionItem[] {
  const items: SelectionItem[] = [];
  const seen = new Set<string>();
  let family: Family | null = null;
  const addBuild = (spec: BuildSpec) => {
    if (seen.has(buildName(spec))) return;
    seen.add(buildName(spec));
    items.push({ kind: 'build', spec });
  };
  for (const token of selection.split(/[\s,]+/).filter(Boolean)) {
    const named = /^([a-z][a-z-]*)@(\d+)$/.exec(token);
    if (named) {
      const f = named[1]!;
      if (!(FAMILIES as readonly string[]).includes(f))
        throw new Error(
          `"${token}": unknown browser family "${f}"; builds are ${FAMILIES.map((x) => `${x}@<major>`).join(', ')}`,
        );
      family = f as Family;
      addBuild({ family, major: Number(named[2]) });
    } else if (/^\d+$/.test(token)) {
      if (!family) throw new Error(`"${token}": a bare version needs a family before it, e.g. chromium@${token}`);
      addBuild({ family, major: Number(token) });
    } else if (token in BUILD_SETS) {
      family = null;
      for (const item of parseSelection(BUILD_SETS[token]!)) if (item.kind === 'build') addBuild(item.spec);
    } else if (/@/.test(token)) {
      throw new Error(`"${token}": expected <family>@<major>, e.g. chromium@119 or firefox-esr@140`);
    } else {
      family = null;
      items.push({ kind: 'set', name: token });
    }
  }
  if (!items.length) throw new Error(`"${selection}" names no browser build or set`);
  return items;
}

/** Only the builds of a selection (throws if it also names profile sets). */
export function parseBuilds(selection: string): BuildSpec[] {
  const items = parseSelection(selection);
  const sets = items.filter((i) => i.kind === 'set');
  if (sets.length)
    throw new Error(
      `"${selection}": ${sets.map((s) => (s as { name: string }).name).join(', ')} is not a build; name builds as chromium@119 or a build set (${Object.keys(BUILD_SETS).join(', ')})`,
    );
  return items.flatMap((i) => (i.kind === 'build' ? [i.spec] : []));
}

/** One canonical line for a list of builds: `chromium@92,chromium@119,firefox-esr@140`. */
export function formatBuilds(specs: BuildSpec[]): string {
  return specs.map(buildName).join(',');
}
