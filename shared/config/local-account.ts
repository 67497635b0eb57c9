/**
 * The stand-in AWS account of everything the local runtime names with an ARN (executions, map
 * runs, functions, the execution role), in the `local` region: twelve zeros, which no real account
 * has, so a local ARN can never be mistaken for one on AWS.
 */
export const LOCAL_ACCOUNT = '000000000000';

/** Prefix of local Step Functions ARNs: add `:stateMachine:<name>`, `:execution:<machine>:<name>`... */
export const LOCAL_STATES_ARN = `arn:aws:states:local:${LOCAL_ACCOUNT}`;

/** The role a local execution's context object names. */
export const LOCAL_ROLE_ARN = `arn:aws:iam::${LOCAL_ACCOUNT}:role/local`;
