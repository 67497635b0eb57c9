import { describe, expect, it } from 'vitest';
import { decoderThreads } from '../../../shared/video/decode.ts';

describe('decoderThreads', () => {
  it('decodes frames up to 720p on one thread', () => {
    expect(decoderThreads({ width: 640, height: 360 })).toBe(1);
    expect(decoderThreads({ width: 1280, height: 720 })).toBe(1);
    // A portrait phone video of the same size counts the same.
    expect(decoderThreads({ width: 720, height: 1280 })).toBe(1);
  });

  it("leaves larger frames to ffmpeg's own thread count", () => {
    expect(decoderThreads({ width: 1920, height: 1080 })).toBe(0);
    expect(decoderThreads({ width: 3840, height: 2160 })).toBe(0);
  });
});
