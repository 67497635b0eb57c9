/**
 * lambdaface on a deployed stack: remote searches, the upload-trigger starter, and the cost model.
 * What the CLI's `--remote`, `estimate` and `serve` commands call.
 */
export { searchRemote, type SearchRemoteOptions, type RemoteClients, type RemoteSearchResult } from './search-remote.ts';
export { resolveRemoteTarget, stateMachineNameForStack, bucketNameForStack, type RemoteTarget, type RemoteTargetInput } from './target.ts';
export { watchExecution, executionFailure, executionConsoleUrl, type WatchOptions } from './watch-execution.ts';
export {
  sfnStarter,
  startNamedExecution,
  executionArnFor,
  parseStateMachineArn,
} from './start-execution.ts';
export { fromAwsError, isThrottling, type AwsCallContext } from './aws-errors.ts';
export { estimateCost, AWS_PRICES, MONTAGE_MODEL, S3_PRICES, type EstimateInput, type CostEstimate, type LambdaArch } from './estimate.ts';
export { measureChunk, type MeasureChunkOptions, type ChunkMeasurement } from './measure.ts';
export { estimateVideo, type EstimateVideoOptions, type VideoEstimate } from './estimate-video.ts';
