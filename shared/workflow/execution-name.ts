import { z } from 'zod';

/** A models fingerprint (shared/vision/models.ts modelsFingerprint), as the deployment states it. */
export const ModelsFingerprint = z.string().regex(/^[0-9a-f]{16}$/, 'a models fingerprint: 16 hex digits');

/** Step Functions' longest execution name (a name stays taken for 90 days). */
const MAX_NAME = 80;

/**
 * The execution name of a job: its storage id (shared/workflow/job.ts: a label and a fingerprint of
 * the video, photos, options and recognizer), so one search runs once however often it is started,
 * by an upload, the CLI or both; then `-m` and the fingerprint of the deployment's models, which
 * the job id leaves out, so the same search after a deploy with other models runs again instead
 * of answering with what the old models found. Ids are lowercase letters, digits and `-`, up to
 * 128: a longer one keeps its fingerprint (`-` and 16 hex digits at the end) and the start of its
 * label, 80 characters in all. A deployment that does not say its models (deployed before it
 * did) names executions by the job id alone.
 */
export function executionNameForJob(jobId: string, models?: string): string {
  const suffix = models === undefined ? '' : `-m${models}`;
  const room = MAX_NAME - suffix.length;
  if (jobId.length <= room) return `${jobId}${suffix}`;
  const fingerprint = jobId.slice(-17);
  return `${jobId.slice(0, room - fingerprint.length).replace(/-+$/, '')}${fingerprint}${suffix}`;
}
