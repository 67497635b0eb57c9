import { createHash } from 'node:crypto';
import { AUGMENTATIONS, FACERES_VIEWS } from '../match/augment.ts';
import { DEFAULT_FUSION } from '../match/fusion.ts';
import { DEFAULT_RULE } from '../match/matcher.ts';
import { DEFAULT_TRACK_OPTIONS } from '../match/tracks.ts';
import { DEFAULT_ANALYZE_OPTIONS, MAX_SCAN_WIDTH } from '../vision/options.ts';

/**
 * Everything besides the inputs and the user's options that decides a job's results. It is part
 * of the job id, so a resumed job never mixes chunk results of two versions of the recognizer.
 * A change to what a scan stores or how it names that is not in the values below (which faces
 * FaceRes describes, say) must bump `version`.
 */
export const RECOGNITION_FINGERPRINT: string = JSON.stringify({
  version: 5,
  fusion: DEFAULT_FUSION,
  rule: DEFAULT_RULE,
  tracks: DEFAULT_TRACK_OPTIONS,
  analyze: DEFAULT_ANALYZE_OPTIONS,
  maxWidth: MAX_SCAN_WIDTH,
  augmentations: AUGMENTATIONS,
  faceresViews: FACERES_VIEWS,
});

/** A short hash of RECOGNITION_FINGERPRINT, for records that must say which recognizer wrote them. */
export const RECOGNIZER_VERSION = createHash('sha256').update(RECOGNITION_FINGERPRINT).digest('hex').slice(0, 16);
