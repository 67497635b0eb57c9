import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { inputError, parseInput } from '../errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses `argv` for one command: unknown flags and missing values are InputErrors naming the
 * flag, and the values are then validated by `schema` (numbers coerced) so every command checks
 * its flags the same way.
 */
export function parseFlags<T>(command: string, argv: readonly string[], options: Options, schema: z.ZodType<T>): T {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, allowPositionals: false, strict: true }));
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/^.*?:\s*/, '') : String(error);
    throw inputError(`lambdaface ${command}: ${message}`, { input: 'flags', hint: `run \`lambdaface ${command} --help\`` });
  }
  return parseInput(schema, values, `flags of lambdaface ${command}`, `run \`lambdaface ${command} --help\``);
}

/** A numeric flag given as text. */
export const numberFlag = (check: z.ZodNumber) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      const parsed = check.safeParse(Number(value));
      if (!parsed.success || value.trim() === '') {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not ${parsed.success ? 'a number' : parsed.error.issues[0]?.message}` });
        return z.NEVER;
      }
      return parsed.data;
    });
