import timeouts from './function-timeouts.json' with { type: 'json' };

/**
 * Each Lambda function's timeout in seconds: the one list serverless.yml reads (`${file(...)}`)
 * and the local runtime gives its handlers, so a step has the same time limit on both. The state
 * machine's TimeoutSeconds sit above these (test/deploy checks it): a function that runs out of time
 * fails as a Lambda error that its Task retries, not as a state timeout.
 */
export const FUNCTION_TIMEOUT_SECONDS: Readonly<Record<string, number>> = timeouts;
