import { DEFAULT_TRACK_OPTIONS } from '../match/tracks.ts';
import { expectedSamples, frameCount, lastFrameMicros, SAMPLE_SLACK_US } from '../video/sampling.ts';
import type { VideoInfo } from '../video/types.ts';

/**
 * Why nobody can be named in a video this short, or null when it is long enough. A person is named
 * from a track of at least `minTrackLength` sightings, one per sample, so a video with fewer
 * samples than that names no one, however clearly they appear: the user must hear that, not
 * read "not found". A sample is the first frame at or after its time, so the samples are those up
 * to the last frame's start (sampling.ts), and never more than the frames.
 */
export function tooShortToName(video: Pick<VideoInfo, 'durationSeconds' | 'fps'>, sampleFps: number, minTrackLength = DEFAULT_TRACK_OPTIONS.minTrackLength): string | null {
  const samples = expectedSamples(video, 0, video.durationSeconds, sampleFps);
  const frames = frameCount(video);
  if (samples >= minTrackLength) return null;
  const length = `the video is ${video.durationSeconds.toFixed(2)} s`;
  const seen = `at ${sampleFps} samples/s that is ${samples} sample${samples === 1 ? '' : 's'}, and a person is named after at least ${minTrackLength}`;
  if (frames < minTrackLength) {
    return `${length} (${frames} frame${frames === 1 ? '' : 's'}): a person is named after at least ${minTrackLength} samples and no sampling rate takes more than one per frame; give a longer video`;
  }
  // The rate at which sample minTrackLength - 1 still falls at or before the last frame.
  const enough = Math.ceil(((minTrackLength - 1) * 1_000_000) / (lastFrameMicros(video) + SAMPLE_SLACK_US));
  return `${length}: ${seen}; raise the sampling rate (--sample-fps) to ${enough} or more`;
}
