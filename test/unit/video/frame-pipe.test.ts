import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DecodeLog, readExactly } from '../../../shared/video/frame-pipe.ts';

describe('readExactly', () => {
  it('reassembles frames split across chunks, and reports a clean end as null', async () => {
    const stream = new PassThrough();
    stream.write(Buffer.from([1, 2, 3, 4]));
    stream.write(Buffer.from([5]));
    setTimeout(() => stream.end(Buffer.from([6])), 5);
    expect([...(await readExactly(stream, 3))!]).toEqual([1, 2, 3]);
    expect([...(await readExactly(stream, 3))!]).toEqual([4, 5, 6]);
    expect(await readExactly(stream, 3)).toBeNull();
  });

  it('returns the short rest when the stream ends inside a frame', async () => {
    const stream = new PassThrough();
    stream.end(Buffer.from([1, 2, 3, 4, 5]));
    expect((await readExactly(stream, 3))!.length).toBe(3);
    expect((await readExactly(stream, 3))!.length).toBe(2);
  });
});

describe('DecodeLog', () => {
  it('queues showinfo timestamps, even split across chunks, and keeps other lines for errors', async () => {
    const stream = new PassThrough();
    const log = new DecodeLog(stream);
    stream.write('[info] Input #0, mov\n[Parsed_showinfo_5 @ 0x2] [info] n:   0 pts:      0 pts_time:0  pos: 1\n[Parsed_showinfo_5 @ 0x2] [info] n:   1 pts:10');
    const first = await log.nextTimestamp();
    const second = log.nextTimestamp();
    stream.write('01001 pts_time:1.001001\n[Parsed_showinfo_5 @ 0x2] [info] color_range:tv\n[error] boom\n');
    stream.end();
    expect(first).toBe(0);
    expect(await second).toBe(1_001_001);
    expect(await log.nextTimestamp()).toBeNull();
    expect(log.tail.toString()).toContain('[error] boom');
    expect(log.tail.toString()).not.toContain('pts:');
  });
});
