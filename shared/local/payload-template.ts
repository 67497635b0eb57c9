import './promise-with-resolvers.ts';
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { JsonObject, JsonValue } from './asl.ts';
import { StatesError } from './task-errors.ts';

/**
 * Evaluates an ASL payload template (`"key.$": "$.path"`, `"$$.Map.Item.Value"`, intrinsic
 * functions) against `input` and a context object — with the interpreter's own evaluator, by
 * running a one-state Pass machine whose Parameters are the template. So ItemSelector, BatchInput,
 * ItemReader and ResultWriter parameters of the Distributed Map mean exactly what Parameters mean
 * everywhere else in the run.
 */
export async function evaluateTemplate(template: JsonValue, input: JsonValue, context: JsonObject): Promise<JsonValue> {
  const definition = {
    StartAt: 'Evaluate',
    States: { Evaluate: { Type: 'Pass', Parameters: template, End: true } },
  } as unknown as StateMachineDefinition;
  const machine = new StateMachine(definition, { validationOptions: { noValidate: true } });
  try {
    return await machine.run(input, { context }).result;
  } catch (error) {
    // A path that selects nothing, a bad intrinsic: States.Runtime, as on AWS.
    const inner = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : error;
    const message = inner instanceof Error ? inner.message : String(inner);
    throw new StatesError('States.Runtime', message);
  }
}

/** The value a reference path selects (`$.a.b`, `$$.Execution.Id`); States.Runtime if none. */
export async function evaluatePath(path: string, input: JsonValue, context: JsonObject): Promise<JsonValue> {
  const result = await evaluateTemplate({ 'value.$': path }, input, context);
  return (result as JsonObject).value ?? null;
}
