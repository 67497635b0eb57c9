import type { Readable } from 'node:stream';
import { LogTail } from './ffmpeg.ts';

/**
 * Reads exactly `size` bytes (one raw frame) from a paused stream. Resolves null at a clean end,
 * and a shorter buffer when the stream ends inside a frame. Only reading when asked is what lets
 * a slow consumer hold ffmpeg back through the pipe.
 */
export function readExactly(stream: Readable, size: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      stream.off('readable', attempt);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onEnd);
    };
    const onEnd = (): void => {
      cleanup();
      // What is left when the stream ended inside a frame.
      const rest = stream.read() as Buffer | null;
      resolve(rest);
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    function attempt(): void {
      const chunk = stream.read(size) as Buffer | null;
      if (chunk !== null) {
        cleanup();
        resolve(chunk);
      } else if (stream.readableEnded || stream.destroyed) {
        onEnd();
      }
    }
    stream.on('readable', attempt);
    stream.on('end', onEnd);
    stream.on('close', onEnd);
    stream.on('error', onError);
    attempt();
  });
}

/** `n: 12 pts: 1001001` in a showinfo line (ffmpeg 4 to 7 print it alike). */
const SHOWINFO_FRAME = /Parsed_showinfo_\d+.*?\bn:\s*\d+\s+pts:\s*(-?\d+)/;

/**
 * ffmpeg's stderr during a decode: the showinfo timestamp of every frame written to the pipe, in
 * order, and the log tail for error messages. It is always read to the end, whatever the frame
 * consumer does, so ffmpeg never blocks on a full stderr pipe.
 */
export class DecodeLog {
  private readonly timestamps: number[] = [];
  private waiter: ((micros: number | null) => void) | undefined;
  private partial = '';
  private ended = false;
  readonly tail = new LogTail();

  constructor(stream: Readable) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => this.take(chunk));
    stream.on('end', () => this.finish());
    stream.on('close', () => this.finish());
  }

  /** Timestamp (µs) of the next frame on the pipe; null when ffmpeg ended without logging one. */
  nextTimestamp(): Promise<number | null> {
    const ready = this.timestamps.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  private take(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  private line(line: string): void {
    const frame = SHOWINFO_FRAME.exec(line);
    if (!frame) {
      this.tail.push(`${line}\n`);
      return;
    }
    const micros = Number(frame[1]);
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter(micros);
    } else {
      this.timestamps.push(micros);
    }
  }

  private finish(): void {
    if (this.ended) return;
    if (this.partial) this.line(this.partial);
    this.partial = '';
    this.ended = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.(null);
  }
}
