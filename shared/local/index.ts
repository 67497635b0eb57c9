/**
 * lambdaface on one machine: the embedded S3 server and the local runner of the state machine
 * definition (the same ASL and handlers as on AWS).
 */
export { startEmbeddedS3, type EmbeddedS3, type EmbeddedS3Options, type ObjectCreatedEvent, type S3EventRecord } from './s3-server.ts';
export { runLocalWorkflow, WorkflowFailedError, type LocalWorkflowResult, type RunLocalWorkflowOptions } from './run-workflow.ts';
export type { MapProgress, MapRunSummary } from './distributed-map/run-map.ts';
export {
  localFunctionArn,
  type FaceSearchHandlers,
  type LocalHandler,
  type LocalHandlers,
  type LocalLambdaContext,
  STATE_PAYLOAD_LIMIT_BYTES,
} from './local-functions.ts';
export { FACE_SEARCH_DEFINITION_PATH, loadDefinition, aslProblems, type AslDefinition, type JsonValue } from './asl.ts';
export { parseErrorCause, lambdaErrorPayload, type LambdaErrorPayload } from './task-errors.ts';
