/**
 * The execution name of a job: its storage id (shared/workflow/job.ts: a label and a fingerprint of
 * the video, photos and options), so one search runs once however often it is started, by an
 * upload, the CLI or both. Ids are lowercase letters, digits and `-`, up to 128: a longer one keeps
 * its fingerprint (`-` and 16 hex digits at the end) and the start of its label, 80 in all.
 */
export function executionNameForJob(jobId: string): string {
  if (jobId.length <= 80) return jobId;
  const fingerprint = jobId.slice(-17);
  return `${jobId.slice(0, 80 - fingerprint.length).replace(/-+$/, '')}${fingerprint}`;
}
