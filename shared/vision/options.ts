/**
 * The vision pipeline's options and defaults, apart from the code that runs ONNX Runtime, so the
 * steps that only need to know them (the job id's fingerprint, Shard) stay light.
 */

export interface DetectOptions {
  /** Detector probability below which a candidate is dropped. */
  minScore: number;
  /** Overlap above which two detections are the same face. */
  nmsIoU: number;
  /**
   * The finest pyramid level maps this many source pixels onto the detector's 192-px input
   * (shared/vision/pyramid.ts); `null` scans the whole frame only. Smaller windows find smaller
   * faces at the cost of larger detector runs.
   */
  minWindowSide: number | null;
  threads: number;
}

export const DEFAULT_DETECT_OPTIONS: DetectOptions = {
  minScore: 0.6,
  nmsIoU: 0.3,
  minWindowSide: 320,
  threads: 1,
};

export interface AnalyzeOptions {
  detect: DetectOptions;
  /** Mesh confidence below which a detection is treated as not a face. */
  minFaceflag: number;
}

export const DEFAULT_ANALYZE_OPTIONS: AnalyzeOptions = { detect: DEFAULT_DETECT_OPTIONS, minFaceflag: 0.5 };

/** Frames wider than this are scaled down before detection (4K gains little over 1080p here). */
export const MAX_SCAN_WIDTH = 1920;
