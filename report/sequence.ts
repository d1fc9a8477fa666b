// A recorded timeline as a short sequence of comparable steps ("s1.generateRequest ✓",
// "E:s1.message(license-request)", "E:s1.keystatuseschange(usable×2)"), and the alignment of two such
// sequences, so the cross-browser view can show what is missing, extra, reordered or different.
import type { PageEntry } from '../model/record.ts';

function statuses(entry: PageEntry): string {
  const values = Object.values(entry.session?.keyStatuses ?? {});
  if (!values.length) return 'empty';
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([v, n]) => (n > 1 ? `${v}×${n}` : v)).join(',');
}

/** One step per observable thing, in recorded order; calls appear through their results. */
export function toSteps(entries: PageEntry[]): string[] {
  const steps: string[] = [];
  for (const e of entries) {
    switch (e.type) {
      case 'result':
        steps.push(
          `${e.target}.${e.name} ${e.outcome === 'resolved' || e.outcome === 'returned' ? '✓' : `✗ ${e.error?.name ?? ''}`}`.trim(),
        );
        break;
      case 'event': {
        let detail = '';
        if (e.name === 'message') detail = `(${String(e.data?.['messageType'])})`;
        else if (e.name === 'keystatuseschange') detail = `(${statuses(e)})`;
        else if (e.name === 'progress') detail = `(${String(e.data?.['milestone'])} s)`;
        else if (e.name === 'error') detail = `(${String(e.data?.['code'])})`;
        steps.push(`E:${e.target}.${e.name}${detail}`);
        break;
      }
      case 'promise':
        steps.push(
          `P:${e.target}.${e.name}(${typeof e.value === 'string' ? e.value : (e.error?.name ?? 'undefined')})`,
        );
        break;
      case 'license':
        if (e.name === 'response')
          steps.push(
            `L:${e.target} ${e.error ? `✗ ${String(e.data?.['failure'])}` : `HTTP ${String(e.data?.['status'])}`}`,
          );
        break;
      case 'note':
        if (e.name === 'wait-timeout') steps.push(`⏱ ${String(e.data?.['waitingFor'])}`);
        break;
      default:
        break;
    }
  }
  return steps;
}

/** Marks each step of `mine` that is not on the longest common subsequence with `reference`. */
export function alignAgainst(reference: string[], mine: string[]): { step: string; shared: boolean }[] {
  const n = reference.length;
  const m = mine.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = reference[i] === mine[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: { step: string; shared: boolean }[] = [];
  let i = 0;
  let j = 0;
  while (j < m) {
    if (i < n && reference[i] === mine[j]) {
      out.push({ step: mine[j]!, shared: true });
      i++;
      j++;
    } else if (i < n && lcs[i + 1]![j]! >= lcs[i]![j + 1]!) {
      i++;
    } else {
      out.push({ step: mine[j]!, shared: false });
      j++;
    }
  }
  return out;
}
