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

/**
 * What is wrong with a number a flag's check refused, said in words: zod's own messages ("Too
 * big: expected number to be <=65535") read as noise after the value. Of several bounds broken
 * (an integer's safe range, then the flag's own), the tightest is the one to state.
 */
function numberProblem(issues: readonly z.core.$ZodIssue[]): string {
  const tightest = (a: z.core.$ZodIssue, b: z.core.$ZodIssue): z.core.$ZodIssue => {
    if (a.code === 'too_big' && b.code === 'too_big') return Number(b.maximum) < Number(a.maximum) ? b : a;
    if (a.code === 'too_small' && b.code === 'too_small') return Number(b.minimum) > Number(a.minimum) ? b : a;
    return a;
  };
  const issue = issues.reduce(tightest);
  switch (issue.code) {
    case 'too_small':
      return `is too small: it must be ${issue.inclusive ? 'at least' : 'more than'} ${issue.minimum}`;
    case 'too_big':
      return `is too large: it must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}`;
    case 'invalid_type':
      return issue.expected === 'int' ? 'is not a whole number' : 'is not a number';
    default:
      return `is not accepted: ${issue.message}`;
  }
}

/** A numeric flag given as text. */
export const numberFlag = (check: z.ZodNumber) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      // Number('') is 0: blank text is no number, whatever the check would say of 0.
      const parsed = value.trim() === '' ? undefined : check.safeParse(Number(value));
      if (!parsed?.success) {
        ctx.addIssue({ code: 'custom', message: `"${value}" ${parsed ? numberProblem(parsed.error.issues) : 'is not a number'}` });
        return z.NEVER;
      }
      return parsed.data;
    });
