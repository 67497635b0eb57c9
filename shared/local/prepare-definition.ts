import { workflowError } from '../errors.ts';
import { isDistributedMap, nestedMachines, type AslDefinition, type AslState, type JsonObject } from './asl.ts';

/** The Resource the runner gives the Task that stands in for a Distributed Map. */
export const DISTRIBUTED_MAP_RESOURCE = 'arn:aws:states:::lambdaface:localDistributedMap';
const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[^:]*:\d*:function:[^:]+(:[^:]+)?$/;

/**
 * The interpreter times a Task out after 60 s unless told otherwise; AWS waits up to a year. Use
 * the longest wait Node's setTimeout can express (2^31 ms ≈ 24.8 days) instead.
 */
const LONGEST_TIMEOUT_SECONDS = 2_000_000;

/**
 * A Task state and how the runner serves it. `timeoutSeconds` is the Task's own TimeoutSeconds,
 * when it has a fixed one: the local stand-in for the function's timeout.
 */
export type TaskKind = { kind: 'lambda-invoke'; timeoutSeconds?: number } | { kind: 'lambda-arn'; functionArn: string; timeoutSeconds?: number } | { kind: 'distributed-map' };

/** A Distributed Map found in the definition: its original state and its prepared processor. */
export interface DistributedMapPlan {
  state: JsonObject;
  processor: AslDefinition;
}

export interface PreparedDefinition {
  /** The definition the interpreter runs: Distributed Maps replaced by Tasks, timeouts made explicit. */
  definition: AslDefinition;
  /** Every Task state by name (names are unique across a whole state machine in ASL). */
  tasks: Map<string, TaskKind>;
  distributedMaps: Map<string, DistributedMapPlan>;
  /** Names of states with a Retry field (to override their pauses in tests). */
  retryStates: string[];
}

/** Fields a Map shares with a Task: input/output processing, error handling, transitions. */
const FIELDS_KEPT_ON_THE_STAND_IN = ['Comment', 'InputPath', 'ResultSelector', 'ResultPath', 'OutputPath', 'Retry', 'Catch', 'Next', 'End'];

function standInTask(map: AslState): AslState {
  const task: AslState = { Type: 'Task', Resource: DISTRIBUTED_MAP_RESOURCE, TimeoutSeconds: LONGEST_TIMEOUT_SECONDS };
  for (const field of FIELDS_KEPT_ON_THE_STAND_IN) if (field in map) task[field] = map[field];
  return task;
}

function withExplicitTimeout(task: AslState): AslState {
  if ('TimeoutSecondsPath' in task) return task;
  const given = typeof task.TimeoutSeconds === 'number' ? task.TimeoutSeconds : LONGEST_TIMEOUT_SECONDS;
  return { ...task, TimeoutSeconds: Math.min(given, LONGEST_TIMEOUT_SECONDS) };
}

function prepareMachine(machine: AslDefinition, plan: Omit<PreparedDefinition, 'definition'>): AslDefinition {
  const states: Record<string, AslState> = {};
  for (const [name, original] of Object.entries(machine.States)) {
    let state: AslState = { ...original };
    if (Array.isArray(state.Retry)) plan.retryStates.push(name);

    if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
      state.Branches = nestedMachines(state).map((branch) => prepareMachine(branch, plan));
    } else if (isDistributedMap(state)) {
      const processor = nestedMachines(state)[0]!;
      const { ProcessorConfig: _config, ...rest } = processor;
      plan.distributedMaps.set(name, { state: state as JsonObject, processor: prepareMachine(rest as AslDefinition, plan) });
      plan.tasks.set(name, { kind: 'distributed-map' });
      state = standInTask(state);
    } else if (state.Type === 'Map') {
      const key = 'ItemProcessor' in state ? 'ItemProcessor' : 'Iterator';
      const processor = nestedMachines(state)[0];
      if (processor) state[key] = prepareMachine(processor, plan);
    } else if (state.Type === 'Task') {
      const resource = state.Resource;
      const timeout = typeof state.TimeoutSeconds === 'number' ? { timeoutSeconds: state.TimeoutSeconds } : {};
      if (resource === LAMBDA_INVOKE) plan.tasks.set(name, { kind: 'lambda-invoke', ...timeout });
      else if (typeof resource === 'string' && LAMBDA_ARN.test(resource)) plan.tasks.set(name, { kind: 'lambda-arn', functionArn: resource, ...timeout });
      else {
        throw workflowError(`Task state "${name}" uses ${JSON.stringify(resource)}, which the local runner cannot serve`, {
          input: name,
          hint: `locally, Tasks must call Lambda functions (${LAMBDA_INVOKE} or a Lambda function ARN)`,
        });
      }
      state = withExplicitTimeout(state);
    }
    states[name] = state;
  }
  return { ...machine, States: states };
}

/**
 * Rewrites a (placeholder-substituted) definition for aws-local-stepfunctions, which ignores every
 * Distributed Map feature: each Distributed Map becomes a Task with the Map's own InputPath,
 * ResultSelector, ResultPath, OutputPath, Retry, Catch and transition, whose local handler runs the
 * Map Run (see distributed-map/run-map.ts). Its ItemProcessor is kept, prepared the same way, to
 * run as a state machine of its own per child execution — so Retry and Catch inside it are the
 * interpreter's own.
 */
export function prepareDefinition(definition: AslDefinition): PreparedDefinition {
  const plan: Omit<PreparedDefinition, 'definition'> = { tasks: new Map(), distributedMaps: new Map(), retryStates: [] };
  const prepared = prepareMachine(structuredClone(definition), plan);
  return { definition: prepared, ...plan };
}
