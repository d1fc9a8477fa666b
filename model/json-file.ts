// Reads a JSON file and validates it, with errors that name the file and the field.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export function readJsonFile<T extends z.ZodType>(path: string | URL, schema: T, what: string): z.infer<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${what} ${String(path)}: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Error(`invalid ${what} ${String(path)}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
