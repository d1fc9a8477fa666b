// A recorded timeline as a short sequence of comparable steps ("s1.generateRequest ✓",
// "E:s1.message(license-request)", "E:s1.keystatuseschange(usable×2)"); the row-by-row alignment of
// several browsers' sequences against a chosen reference (jsdiff's array diff), which shows missing,
// extra and different steps and tells orders the spec leaves open (races) apart from differences; and the
// sequence as a Mermaid sequence diagram (page ↔ CDM ↔ media element ↔ license server).
//
// Stable API (the dashboard, the cross-browser view and the trace command use it):
//   toSteps(entries)            → string[]      one comparable step per observable thing
//   raceGroups(steps)           → number[]      which neighbouring steps race (same number = one group)
//   canonicalSteps(steps)       → string[]      the steps with every race in one fixed order
//   emeSteps(steps)             → string[]      per target, canonical, without the media element's own events
//   alignSequences(seqs, ref)   → AlignedRow[]  every browser's steps in rows, aligned on the reference
//   alignAgainst(ref, mine)     → {step, shared}[]  one sequence against another (older, simpler form)
//   toMermaid(entries, options) → string        a Mermaid `sequenceDiagram`
import { diffArrays } from 'diff';
import type { PageEntry } from '../model/record.ts';

function statuses(entry: PageEntry): string {
  const values = Object.values(entry.session?.keyStatuses ?? {});
  if (!values.length) return 'empty';
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([v, n]) => (n > 1 ? `${v}×${n}` : v)).join(',');
}

const succeeded = (e: PageEntry) => e.outcome === 'resolved' || e.outcome === 'returned';

/** The comparable step of one entry, or null for entries the comparison leaves out (calls, requests, most notes). */
function stepOf(e: PageEntry): string | null {
  switch (e.type) {
    case 'result':
      return `${e.target}.${e.name} ${succeeded(e) ? '✓' : `✗ ${e.error?.name ?? ''}`}`.trim();
    case 'event': {
      let detail = '';
      if (e.name === 'message') detail = `(${String(e.data?.['messageType'])})`;
      else if (e.name === 'keystatuseschange') detail = `(${statuses(e)})`;
      else if (e.name === 'progress') detail = `(${String(e.data?.['milestone'])} s)`;
      else if (e.name === 'error') detail = `(${String(e.data?.['code'])})`;
      return `E:${e.target}.${e.name}${detail}`;
    }
    case 'promise':
      return `P:${e.target}.${e.name}(${typeof e.value === 'string' ? e.value : (e.error?.name ?? 'undefined')})`;
    case 'license':
      return e.name === 'response'
        ? `L:${e.target} ${e.error ? `✗ ${String(e.data?.['failure'])}` : `HTTP ${String(e.data?.['status'])}`}`
        : null;
    case 'note':
      return e.name === 'wait-timeout' ? `⏱ ${String(e.data?.['waitingFor'])}` : null;
    default:
      return null;
  }
}

/** One step per observable thing, in recorded order; calls appear through their results. */
export function toSteps(entries: PageEntry[]): string[] {
  return entries.map(stepOf).filter((s): s is string => s !== null);
}

// ---------------------------------------------------------------------------------------------------
// Races: neighbouring steps of one session whose order the spec leaves open, or changed between spec
// versions (#538, 2024: promises resolve before events are queued; older browsers queue first).

/** A step as the race rules read it: its session, kind and name. */
function parts(step: string): { session: string; kind: 'result' | 'event' | 'promise'; name: string } | null {
  const m = /^(E:|P:)?([\w-]+)\.(\w+)(.*)$/.exec(step);
  if (!m) return null;
  const kind = m[1] === 'E:' ? 'event' : m[1] === 'P:' ? 'promise' : 'result';
  return { session: m[2]!, kind, name: kind === 'event' ? `${m[3]}${m[4]}` : m[3]! };
}

/**
 * Pairs that may come in either order: a method's settling and the events its algorithm queues.
 * generateRequest ~ message; update/load ~ keystatuseschange; close ~ closed ~ keystatuseschange(empty);
 * remove ~ keystatuseschange ~ message(license-release).
 */
function racing(a: string, b: string): boolean {
  const [x, y] = [parts(a), parts(b)];
  if (!x || !y || x.session !== y.session || x.kind === y.kind) return false;
  const pair = (p: typeof x, q: typeof y) => {
    if (p.kind !== 'result') return false;
    if (p.name === 'generateRequest') return q.kind === 'event' && q.name.startsWith('message(');
    if (p.name === 'update' || p.name === 'load') return q.kind === 'event' && q.name.startsWith('keystatuseschange(');
    if (p.name === 'close') return q.kind === 'promise' || q.name === 'keystatuseschange(empty)';
    if (p.name === 'remove')
      return q.kind === 'event' && (q.name.startsWith('keystatuseschange(') || q.name === 'message(license-release)');
    return false;
  };
  if (pair(x, y) || pair(y, x)) return true;
  // What Session Closed does: resolve `closed` and queue the empty keystatuseschange.
  const closing = (p: typeof x, q: typeof y) => p.kind === 'promise' && q.name === 'keystatuseschange(empty)';
  return closing(x, y) || closing(y, x);
}

/**
 * For each step, the number of the race group it belongs to (-1: none). A group is a run of neighbouring
 * steps that pairwise race and are all different; its members may be recorded in any order.
 */
export function raceGroups(steps: string[]): number[] {
  const groups = new Array<number>(steps.length).fill(-1);
  let next = 0;
  for (let i = 0; i < steps.length; ) {
    let j = i + 1;
    while (
      j < steps.length &&
      steps.slice(i, j).every((s) => s !== steps[j] && racing(s, steps[j]!)) &&
      j - i < 4 // no race in the spec spans more than three steps
    )
      j++;
    if (j - i > 1) {
      for (let k = i; k < j; k++) groups[k] = next;
      next++;
    }
    i = j;
  }
  return groups;
}

const KIND_RANK: Record<string, number> = { result: 0, event: 1, promise: 2 };
const rank = (s: string) => KIND_RANK[parts(s)?.kind ?? 'result'] ?? 0;
const setKey = (members: string[]) => [...members].sort().join('\n');

/**
 * The steps with each race group put in the order `orders` gives for the same set of steps (the
 * reference's recorded order), else in one fixed order; `recorded` holds, by output position, the recorded
 * order of a group that was put in another order.
 */
function canonical(
  steps: string[],
  orders?: Map<string, string[]>,
): { steps: string[]; recorded: Map<number, string[]> } {
  const groups = raceGroups(steps);
  const out: string[] = [];
  const recorded = new Map<number, string[]>();
  for (let i = 0; i < steps.length; ) {
    const g = groups[i]!;
    if (g < 0) {
      out.push(steps[i]!);
      i++;
      continue;
    }
    let j = i;
    while (j < steps.length && groups[j] === g) j++;
    const members = steps.slice(i, j);
    const order = orders
      ? (orders.get(setKey(members)) ?? [...members].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)))
      : members;
    const moved = order.join('\n') !== members.join('\n');
    for (const s of order) {
      const at = out.push(s) - 1;
      if (moved) recorded.set(at, members);
    }
    i = j;
  }
  return { steps: out, recorded };
}

/**
 * The steps with every race group in one fixed order: two sequences that differ only in orders the spec
 * leaves open have equal canonical forms (the dashboard hashes this to say "the sequence changed").
 */
export function canonicalSteps(steps: string[]): string[] {
  return canonical(steps, new Map()).steps;
}

/**
 * The EME part of a sequence, in a form only real differences change: the media element's own events
 * (loadedmetadata, waitingforkey, progress…) run on other task sources and repeat with timing, so they are
 * left out (calls on the element, such as setMediaKeys, stay); each target's steps (a session, mediaKeys,
 * the element) are kept in their order but targets follow one another, since independent sessions
 * interleave freely; races within a target are put in one order. What the dashboard compares between
 * versions and runs.
 */
export function emeSteps(steps: string[]): string[] {
  const kept = steps.filter((step) => !/^E:[\w-]*(video|audio)\w*\./.test(step));
  const target = (step: string) => /^(?:[EP]:|L:)?([\w-]+)/.exec(step)?.[1] ?? '';
  const byTarget = new Map<string, string[]>();
  for (const step of kept) byTarget.set(target(step), [...(byTarget.get(target(step)) ?? []), step]);
  return [...byTarget.values()].flatMap((list) => canonicalSteps(list));
}

/** The recorded order of each race group of a sequence, by the set of its steps. */
function groupOrders(steps: string[]): Map<string, string[]> {
  const groups = raceGroups(steps);
  const orders = new Map<string, string[]>();
  for (const g of new Set(groups.filter((x) => x >= 0))) {
    const members = steps.filter((_, i) => groups[i] === g);
    orders.set(setKey(members), members);
  }
  return orders;
}

// ---------------------------------------------------------------------------------------------------
// Row-by-row alignment of several browsers against a reference

/**
 * One browser's part of one row:
 * - same: the reference has this step here too;
 * - missing: the reference has a step here that this browser never recorded (`step` is the reference's);
 * - extra: a step only this browser recorded;
 * - different: in place of the reference's step (`instead`), this browser recorded another;
 * - reference: the reference browser's own step.
 * `race` is set when the step belongs to steps the spec lets come in either order and this browser
 * recorded them in another order than the reference: the recorded order, for display; not a difference.
 */
export interface AlignedCell {
  status: 'reference' | 'same' | 'missing' | 'extra' | 'different';
  step: string;
  instead?: string;
  race?: string[];
}

/** One row of the aligned view: a cell per browser (null where that browser has nothing in this row). */
export interface AlignedRow {
  cells: (AlignedCell | null)[];
}

/**
 * Aligns every browser's sequence row by row against the one at `reference` (null: no timeline; its
 * column stays empty). Steps the spec leaves unordered (raceGroups) are compared as sets, so a browser that
 * settles a promise before queuing an event (or the other way round) differs from no one.
 */
export function alignSequences(sequences: (string[] | null)[], reference: number): AlignedRow[] {
  const ref = sequences[reference];
  if (!ref) throw new Error(`alignSequences: the reference (column ${reference}) has no sequence`);
  const refC = canonical(ref);
  const refOrders = groupOrders(ref);
  const n = sequences.length;
  // anchored[i][b]: browser b's cell on reference row i; inserted[i][b]: b's steps after reference row i-1 (slot i).
  const anchored: (AlignedCell | null)[][] = refC.steps.map((step) => {
    const row = new Array<AlignedCell | null>(n).fill(null);
    row[reference] = { status: 'reference', step };
    return row;
  });
  const inserted: AlignedCell[][][] = Array.from({ length: refC.steps.length + 1 }, () =>
    Array.from({ length: n }, () => [] as AlignedCell[]),
  );
  sequences.forEach((seq, b) => {
    if (!seq || b === reference) return;
    const mine = canonical(seq, refOrders);
    let i = 0; // reference position
    let j = 0; // position in mine
    let pendingMissing: number[] = [];
    const race = (k: number): Pick<AlignedCell, 'race'> => {
      const order = mine.recorded.get(k);
      return order ? { race: order } : {};
    };
    for (const change of diffArrays(refC.steps, mine.steps)) {
      if (!change.added && !change.removed) {
        pendingMissing = [];
        for (const step of change.value) {
          anchored[i]![b] = { status: 'same', step, ...race(j) };
          i++;
          j++;
        }
      } else if (change.removed) {
        pendingMissing = [];
        for (const step of change.value) {
          anchored[i]![b] = { status: 'missing', step };
          pendingMissing.push(i);
          i++;
        }
      } else {
        // Steps right after a run of missing ones take their rows: "this instead of that".
        for (const step of change.value) {
          const row = pendingMissing.shift();
          if (row !== undefined)
            anchored[row]![b] = { status: 'different', step, instead: refC.steps[row]!, ...race(j) };
          else inserted[i]![b]!.push({ status: 'extra', step, ...race(j) });
          j++;
        }
      }
    }
  });
  const rows: AlignedRow[] = [];
  for (let i = 0; i <= refC.steps.length; i++) {
    const slot = inserted[i]!;
    const depth = Math.max(0, ...slot.map((list) => list.length));
    for (let k = 0; k < depth; k++) rows.push({ cells: slot.map((list) => list[k] ?? null) });
    if (i < refC.steps.length) rows.push({ cells: anchored[i]! });
  }
  return rows;
}

/** Marks each step of `mine` that is not on the common sequence with `reference` (races count as common). */
export function alignAgainst(reference: string[], mine: string[]): { step: string; shared: boolean }[] {
  return alignSequences([reference, mine], 0)
    .map((row) => row.cells[1] ?? null)
    .filter((c): c is AlignedCell => c !== null && c.status !== 'missing')
    .map((c) => ({ step: c.step, shared: c.status === 'same' }));
}

// ---------------------------------------------------------------------------------------------------
// Mermaid sequence diagram

const PAGE = 'Page';
const CDM = 'CDM';
const MEDIA = 'Media';
const SERVER = 'License';

/** Text Mermaid takes in a message: no `;` or `#` (statement and entity syntax), no angle brackets. */
function label(text: string): string {
  return text.replace(/[;#]/g, ',').replace(/[<>]/g, '').replace(/\s+/g, ' ').trim().slice(0, 90);
}

const isMedia = (target: string) => /video|audio|media-?el/i.test(target);
const side = (target: string) => (isMedia(target) ? MEDIA : CDM);

/**
 * The recorded sequence as a Mermaid `sequenceDiagram`: the page calls the CDM (navigator, access,
 * mediaKeys, sessions) and the media element, they answer (results, events, promises), and license
 * requests go to the license server. At most `max` messages; the rest is counted in a note.
 */
export function toMermaid(entries: PageEntry[], options: { max?: number } = {}): string {
  const max = options.max ?? 120;
  const lines: string[] = [];
  for (const e of entries) {
    const who = side(e.target);
    switch (e.type) {
      case 'call':
        lines.push(`${PAGE}->>${who}: ${label(`${e.target}.${e.name}()`)}`);
        break;
      case 'result':
        lines.push(
          `${who}-->>${PAGE}: ${label(`${e.target}.${e.name} ${succeeded(e) ? e.outcome : `${e.outcome} ${e.error?.name ?? ''}`}`)}`,
        );
        break;
      case 'event':
        lines.push(`${who}-)${PAGE}: ${label((stepOf(e) ?? e.name).replace(/^E:/, 'event '))}`);
        break;
      case 'promise':
        lines.push(`${who}-->>${PAGE}: ${label((stepOf(e) ?? e.name).replace(/^P:/, ''))}`);
        break;
      case 'license':
        if (e.name === 'request')
          lines.push(
            `${PAGE}->>${SERVER}: ${label(`POST license (${e.target}${e.data?.['messageType'] ? ` ${String(e.data['messageType'])}` : ''})`)}`,
          );
        else
          lines.push(
            `${SERVER}-->>${PAGE}: ${label(e.error ? `failed: ${String(e.data?.['failure'] ?? e.error.name)}` : `HTTP ${String(e.data?.['status'])}`)}`,
          );
        break;
      case 'note':
        if (e.name === 'wait-timeout')
          lines.push(`Note over ${PAGE}: ${label(`timed out waiting for ${String(e.data?.['waitingFor'])}`)}`);
        break;
      default:
        break;
    }
  }
  const shown = lines.slice(0, max);
  if (lines.length > max) shown.push(`Note over ${PAGE},${SERVER}: ${lines.length - max} more steps not drawn`);
  const used = new Set(shown.join('\n').match(/\b(Page|CDM|Media|License)\b/g) ?? []);
  const participants = [
    `participant ${PAGE} as Page`,
    `participant ${CDM} as CDM (MediaKeys, sessions)`,
    ...(used.has(MEDIA) ? [`participant ${MEDIA} as Media element`] : []),
    `participant ${SERVER} as License server`,
  ];
  return ['sequenceDiagram', ...participants.map((p) => `  ${p}`), ...shown.map((l) => `  ${l}`)].join('\n');
}
