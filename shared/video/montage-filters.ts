import { filterNumber, filterValue } from './filter-text.ts';
import type { Box } from './types.ts';

/** A face to outline in a montage segment, from `time` (seconds from the video's first frame). */
export interface MontageBox {
  time: number;
  box: Box;
  label?: string;
}

/** Text drawn in the top-left corner over [from, to), in seconds from the video's first frame. */
export interface MontageCaption {
  from: number;
  to: number;
  text: string;
}

export interface MontageSegment {
  /** Seconds from the video's first frame; the segment is [start, end). */
  start: number;
  end: number;
  /** Drawn in the top-left corner for the whole segment. */
  label?: string;
  /** Drawn in the top-left corner, each while it lasts (the names of the people seen then). */
  captions?: MontageCaption[];
  boxes?: MontageBox[];
}

export interface SegmentDrawing {
  frameWidth: number;
  frameHeight: number;
  outWidth: number;
  outHeight: number;
  /** Font for labels; no labels are drawn without one. */
  font: string | undefined;
  drawLabels: boolean;
  drawBoxes: boolean;
  /** How long a box stays up when no later box follows sooner. */
  boxHoldSeconds: number;
  /** Writes `text` to a file and returns its path: drawtext reads text from a file, so no escaping. */
  textFile: (text: string) => string;
}

const BOX_COLOR = 'yellow@0.9';

function drawtext(font: string, textPath: string, x: number, y: number, size: number, enable?: string): string {
  const options = [
    `fontfile=${filterValue(font)}`,
    `textfile=${filterValue(textPath)}`,
    // The text is a name, not a template: %{...} must not be expanded.
    'expansion=none',
    `x=${x}`,
    `y=${y}`,
    `fontsize=${size}`,
    'fontcolor=white',
    'box=1',
    'boxcolor=black@0.55',
    `boxborderw=${Math.max(2, Math.round(size / 4))}`,
  ];
  if (enable) options.push(`enable='${enable}'`);
  return `drawtext=${options.join(':')}`;
}

/** Clips a box to the frame, in whole pixels; undefined when nothing of it is inside. */
function clip(box: Box, width: number, height: number): Box | undefined {
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(width, Math.ceil(box.x + box.width));
  const y1 = Math.min(height, Math.ceil(box.y + box.height));
  return x1 - x0 >= 2 && y1 - y0 >= 2 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : undefined;
}

/** Each box shows from its time until the next later box time, at most `hold` seconds. */
function boxWindows(boxes: MontageBox[], segment: MontageSegment, hold: number): { box: MontageBox; from: number; to: number }[] {
  const times = [...new Set(boxes.map((b) => b.time))].sort((a, b) => a - b);
  return boxes
    .filter((b) => b.time >= segment.start - hold && b.time < segment.end)
    .map((b) => {
      const next = times.find((t) => t > b.time) ?? Infinity;
      return { box: b, from: b.time - segment.start, to: Math.min(next, b.time + hold) - segment.start };
    })
    .filter((w) => w.to > 0);
}

/**
 * The -vf chain for one segment: boxes and labels drawn at source resolution (box coordinates are
 * source pixels), then scaled and converted for H.264. Filter time `t` runs from 0 at the
 * segment's start because the cut seeks there.
 */
export function segmentFilters(segment: MontageSegment, drawing: SegmentDrawing): string {
  const filters: string[] = [];
  const { frameWidth, frameHeight, font } = drawing;
  const labelSize = Math.max(16, Math.round(frameHeight / 18));
  const boxLabelSize = Math.max(12, Math.round(frameHeight / 32));
  const thickness = Math.max(2, Math.round(Math.min(frameWidth, frameHeight) / 180));

  if (drawing.drawBoxes && segment.boxes?.length) {
    for (const { box, from, to } of boxWindows(segment.boxes, segment, drawing.boxHoldSeconds)) {
      const area = clip(box.box, frameWidth, frameHeight);
      if (!area) continue;
      const enable = `gte(t,${filterNumber(Math.max(0, from))})*lt(t,${filterNumber(to)})`;
      filters.push(`drawbox=x=${area.x}:y=${area.y}:w=${area.width}:h=${area.height}:color=${BOX_COLOR}:t=${thickness}:enable='${enable}'`);
      if (drawing.drawLabels && font && box.label) {
        const y = Math.max(0, area.y - boxLabelSize - 2 * thickness);
        filters.push(drawtext(font, drawing.textFile(box.label), area.x, y, boxLabelSize, enable));
      }
    }
  }
  const margin = Math.round(labelSize / 2);
  if (drawing.drawLabels && font && segment.label) {
    filters.push(drawtext(font, drawing.textFile(segment.label), margin, margin, labelSize));
  }
  if (drawing.drawLabels && font) {
    for (const caption of segment.captions ?? []) {
      const from = Math.max(0, caption.from - segment.start);
      const to = Math.min(segment.end, caption.to) - segment.start;
      if (to <= from) continue;
      filters.push(drawtext(font, drawing.textFile(caption.text), margin, margin, labelSize, `gte(t,${filterNumber(from)})*lt(t,${filterNumber(to)})`));
    }
  }
  if (drawing.outWidth !== frameWidth || drawing.outHeight !== frameHeight) filters.push(`scale=${drawing.outWidth}:${drawing.outHeight}`);
  filters.push('format=yuv420p');
  return filters.join(',');
}
