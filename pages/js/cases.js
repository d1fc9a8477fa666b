// @ts-check
// Case tables: a scenario module names each call it makes with a case id, and the catalog holds what
// the spec expects of that case (harness/judge/cases.ts). This runs the cases the run asks for, in
// order, and refuses a case the module does not know (a catalog/page mismatch is a harness bug).
/**
 * @param {unknown} _h the steps (unused; kept so every case runner has the same signature) the implementations are written in
 * @param {Record<string, (context: unknown) => unknown>} implementations
 * @param {string[]} ids
 * @param {unknown} [context]
 */
export async function runCases(_h, implementations, ids, context) {
  const unknown = ids.filter((id) => typeof implementations[id] !== 'function');
  if (unknown.length) throw new Error(`the page has no implementation of case(s) ${unknown.join(', ')}`);
  for (const id of ids) await /** @type {(context: unknown) => unknown} */ (implementations[id])(context);
}
