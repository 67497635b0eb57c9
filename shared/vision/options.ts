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
   * Smallest tile side (source pixels) scanned in addition to the whole frame; `null` scans the
   * whole frame only. Smaller tiles find smaller faces at the cost of more detector runs.
   */
  minTileSide: number | null;
  overlap: number;
  threads: number;
}

export const DEFAULT_DETECT_OPTIONS: DetectOptions = {
  minScore: 0.6,
  nmsIoU: 0.3,
  minTileSide: 320,
  overlap: 0.25,
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
