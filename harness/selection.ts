// What one Playwright invocation was asked to run, read from its command line in the main process (the
// reporter's process). Playwright keeps --project and --grep out of the resolved config, so the arguments
// it parsed are the only record of them; `merge-reports` has none, so a merged run selects everything.
import type { RunSelection } from '../model/results.ts';

/** Values of an option; a variadic one (Playwright's --project) takes every argument up to the next option. */
function values(argv: string[], names: string[], variadic = false): string[] {
  const found: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    for (const name of names) {
      if (arg.startsWith(`${name}=`)) found.push(arg.slice(name.length + 1));
      else if (arg === name) {
        while (i + 1 < argv.length && !argv[i + 1]!.startsWith('-')) {
          found.push(argv[++i]!);
          if (!variadic) break;
        }
      }
    }
  }
  return found;
}

export function selectionFromArgv(argv: string[], shard: { current: number; total: number } | null): RunSelection {
  const projects = values(argv, ['--project'], true)
    .flatMap((p) => p.split(','))
    .filter(Boolean);
  const grep = values(argv, ['--grep', '-g']);
  const grepInvert = values(argv, ['--grep-invert', '-G']);
  return {
    projects: projects.length ? [...new Set(projects)] : null,
    grep: grep.at(-1) ?? null,
    grepInvert: grepInvert.at(-1) ?? null,
    shard: shard && shard.total > 1 ? `${shard.current}/${shard.total}` : null,
  };
}

/** Why a selection does not cover the whole catalog in every project, or null when it does. */
export function narrowing(selection: RunSelection): string | null {
  const parts = [
    selection.projects ? `projects ${selection.projects.join(', ')}` : '',
    selection.grep ? `grep ${selection.grep}` : '',
    selection.grepInvert ? `grep-invert ${selection.grepInvert}` : '',
    selection.shard ? `shard ${selection.shard}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : null;
}

/** Playwright's --project matching: '*' wildcards, case ignored. */
export function projectMatcher(patterns: string[]): (name: string) => boolean {
  const res = patterns.map(
    (p) =>
      new RegExp(
        `^${p
          .split('*')
          .map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
        'i',
      ),
  );
  return (name) => res.some((re) => re.test(name));
}
