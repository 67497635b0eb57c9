import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AslDefinition } from './asl.ts';
import { factKey, isProven, recordProven } from './proven-cache.ts';

/** The installed asl-validator's version: a new validator may judge the same definition otherwise. */
function validatorVersion(): string {
  const manifest = createRequire(import.meta.url).resolve('asl-validator/package.json');
  return (JSON.parse(readFileSync(manifest, 'utf-8')) as { version: string }).version;
}

/**
 * The problems asl-validator finds in `definition`, found once per content and validator on this
 * machine: a definition proven valid before is not validated again (the same state machine runs
 * at every search), one with problems is, every time.
 */
export async function definitionProblems(definition: AslDefinition): Promise<string[]> {
  const key = factKey('asl-validator', validatorVersion(), JSON.stringify(definition));
  if (isProven('valid-definitions', key)) return [];
  const { aslProblems } = await import('./asl-problems.ts');
  const problems = aslProblems(definition);
  if (problems.length === 0) recordProven('valid-definitions', key);
  return problems;
}
