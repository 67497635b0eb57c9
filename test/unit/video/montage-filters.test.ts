import { describe, expect, it } from 'vitest';
import { filterValue } from '../../../shared/video/filter-text.ts';
import { segmentFilters, type SegmentDrawing } from '../../../shared/video/montage-filters.ts';
import { montageSize } from '../../../shared/video/edit.ts';
import { MONTAGE_MAX_HEIGHT } from '../../../shared/config/options.ts';

const drawing = (extra: Partial<SegmentDrawing> = {}): SegmentDrawing => ({
  frameWidth: 640,
  frameHeight: 360,
  outWidth: 640,
  outHeight: 360,
  font: '/fonts/Sans.ttf',
  drawLabels: true,
  drawBoxes: true,
  boxHoldSeconds: 1,
  textFile: (text) => `/tmp/${text.length}.txt`,
  ...extra,
});

describe('filterValue', () => {
  it('escapes for both the filter options and the graph', () => {
    expect(filterValue('/usr/share/fonts/DejaVuSans.ttf')).toBe('/usr/share/fonts/DejaVuSans.ttf');
    expect(filterValue('/tmp/a:b')).toBe('/tmp/a\\\\:b');
    expect(filterValue('/tmp/a,b')).toBe('/tmp/a\\,b');
    expect(filterValue("/tmp/it's")).toBe("/tmp/it\\\\\\'s");
  });
});

describe('segmentFilters', () => {
  const segment = {
    start: 10,
    end: 14,
    label: 'Lin',
    boxes: [
      { time: 10.5, box: { x: 100, y: 50, width: 40, height: 40 }, label: 'lin' },
      { time: 11, box: { x: 104, y: 52, width: 40, height: 40 } },
      { time: 13.5, box: { x: 630, y: 350, width: 40, height: 40 } },
    ],
  };

  it('shows each box from its time until the next box, at most the hold time, relative to the segment', () => {
    const chain = segmentFilters(segment, drawing());
    expect(chain).toContain("drawbox=x=100:y=50:w=40:h=40:color=yellow@0.9:t=2:enable='gte(t,0.5)*lt(t,1)'");
    expect(chain).toContain("enable='gte(t,1)*lt(t,2)'");
    // Clipped to the frame.
    expect(chain).toContain("drawbox=x=630:y=350:w=10:h=10:color=yellow@0.9:t=2:enable='gte(t,3.5)*lt(t,4.5)'");
    expect(chain).toMatch(/drawtext=fontfile=\/fonts\/Sans\.ttf:textfile=\/tmp\/3\.txt:expansion=none:x=100:/);
    expect(chain.endsWith('format=yuv420p')).toBe(true);
  });

  it('leaves labels out without a font, and boxes out when asked', () => {
    expect(segmentFilters(segment, drawing({ font: undefined }))).not.toContain('drawtext');
    expect(segmentFilters(segment, drawing({ drawBoxes: false, drawLabels: false }))).toBe('format=yuv420p');
  });

  it('draws at source resolution before scaling down', () => {
    const chain = segmentFilters(segment, drawing({ outWidth: 320, outHeight: 180 }));
    expect(chain.indexOf('drawbox')).toBeLessThan(chain.indexOf('scale=320:180'));
  });
});

describe('montageSize', () => {
  it('scales a tall source down to the montage height, keeping its shape with even sides, and never up', () => {
    expect(montageSize({ width: 1920, height: 1080 }, { maxHeight: MONTAGE_MAX_HEIGHT })).toEqual({ width: 854, height: 480 });
    expect(montageSize({ width: 640, height: 360 }, { maxHeight: MONTAGE_MAX_HEIGHT })).toEqual({ width: 640, height: 360 });
    expect(montageSize({ width: 1080, height: 1920 }, { maxHeight: MONTAGE_MAX_HEIGHT })).toEqual({ width: 270, height: 480 });
  });
});

describe('captions', () => {
  it('draws each caption only over its own moments of the segment', () => {
    const filters = segmentFilters(
      {
        start: 10,
        end: 14,
        captions: [
          { from: 10.5, to: 11, text: 'ada' },
          { from: 13, to: 20, text: 'grace' },
        ],
      },
      {
        frameWidth: 640,
        frameHeight: 360,
        outWidth: 640,
        outHeight: 360,
        font: '/f.ttf',
        drawLabels: true,
        drawBoxes: true,
        boxHoldSeconds: 0.25,
        textFile: (text) => `/t/${text}`,
      },
    );
    expect(filters).toContain('textfile=/t/ada:expansion=none');
    expect(filters).toMatch(/textfile=\/t\/ada[^,]*enable='gte\(t,0\.5\)\*lt\(t,1\)'/);
    expect(filters).toMatch(/textfile=\/t\/grace[^,]*enable='gte\(t,3\)\*lt\(t,4\)'/);
  });
});
