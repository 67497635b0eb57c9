import validateAsl from 'asl-validator';
import type { AslDefinition } from './asl.ts';

/**
 * The problems asl-validator finds; empty when the definition is valid. Its own module: loading
 * the validator and compiling its schemas takes about a second, which a run whose definition is
 * already proven valid (definition-check.ts) does not pay.
 */
export function aslProblems(definition: AslDefinition): string[] {
  // asl-validator writes a default QueryLanguage into every state: give it a copy.
  const result = validateAsl(structuredClone(definition));
  return result.isValid ? [] : result.errorsText('\n').split('\n');
}
