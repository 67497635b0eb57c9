/** `m:ss.s`, as the report shows a moment of the video. */
export function clock(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, '0')}`;
}

/** A share of the video's length as a CSS percentage, for positioning along a bar. */
export const percentOf = (seconds: number, duration: number): string => `${duration > 0 ? ((seconds / duration) * 100).toFixed(3) : '0'}%`;

/** A time for a data- attribute: milliseconds are finer than any frame. */
export const attributeTime = (seconds: number): string => seconds.toFixed(3);

/**
 * The honest figures of a match: the distance of the segment's best face to the person, and how
 * far under the threshold its track was named at (which depends on face size and sightings).
 * (The stored confidence is a steep logistic of the same distance and reads 1.00 for most faces,
 * so the report does not show it.) Null when the timeline predates stored distances; no margin
 * when it predates stored thresholds.
 */
export function matchFigures(face: { distance: number | null; threshold?: number | undefined }): { distance: string; margin: string } | null {
  if (face.distance === null) return null;
  return { distance: face.distance.toFixed(2), margin: face.threshold === undefined ? '–' : (face.threshold - face.distance).toFixed(2) };
}
