import { workflowError, type LambdafaceError } from '../errors.ts';
import { isTimeLimit, seconds, type Deadline } from './deadline.ts';

/** The least time a chunk is expected to take, before this invocation has timed one. */
const MIN_CHUNK_ESTIMATE_MS = 5_000;

/**
 * Paces a batch's chunks against the invocation's deadline. A chunk that cannot finish before the
 * stop signal (estimated from the chunks this invocation has done, never less than a floor) is not
 * started, and a scan the signal interrupts ends with the same error: the chunks already written
 * stay, and the Task's retry, a fresh invocation, skips them. Without a deadline it only runs the
 * work.
 */
export class ChunkPace {
  private spentMs = 0;
  private timed = 0;

  constructor(
    private readonly deadline: Deadline | undefined,
    private readonly total: number,
  ) {}

  /** Throws the stop error when the next chunk would not finish in time; `done` chunks are finished. */
  beforeChunk(done: number): void {
    const deadline = this.deadline;
    if (!deadline) return;
    if (deadline.signal.aborted) throw this.stopped(deadline, done, deadline.signal.reason, isTimeLimit(deadline.signal.reason));
    const estimate = Math.max(MIN_CHUNK_ESTIMATE_MS, this.timed > 0 ? this.spentMs / this.timed : 0);
    const left = deadline.stopAt - deadline.now();
    if (estimate > left) throw this.stopped(deadline, done, `a chunk takes about ${seconds(estimate)} s and ${seconds(left)} s were left`, true);
  }

  /** Runs one chunk's work (scan and write) with the stop signal, timing it; an interruption becomes the stop error. */
  async run<T>(done: number, work: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    const deadline = this.deadline;
    if (!deadline) return work(undefined);
    const begun = deadline.now();
    let result: T;
    try {
      result = await work(deadline.signal);
    } catch (error) {
      // Whatever failed once the signal fired failed because of it (ffmpeg killed mid-read).
      if (deadline.signal.aborted) throw this.stopped(deadline, done, deadline.signal.reason, isTimeLimit(deadline.signal.reason), error);
      throw error;
    }
    this.spentMs += deadline.now() - begun;
    this.timed++;
    return result;
  }

  /** The error of a batch stopped before chunk `done`: near its time limit, or because the run was stopped. */
  private stopped(deadline: Deadline, done: number, why: unknown, timeLimit: boolean, cause?: unknown): LambdafaceError {
    const reason = why instanceof Error ? why.message : String(why);
    const progress = `after ${done} of ${this.total} chunks (${reason}); finished chunks are saved`;
    const causeDetail = cause === undefined ? {} : { cause };
    if (timeLimit) {
      return workflowError(`Recognize stopped ${seconds(deadline.at - deadline.now())} s before the time limit ${progress} and the retry resumes`, {
        input: 'Recognize time limit',
        hint: 'the Task retries on its own and skips the saved chunks; if it keeps stopping, use shorter chunks (options.chunkSeconds) or fewer chunks per batch (options.itemsPerBatch)',
        ...causeDetail,
      });
    }
    return workflowError(`Recognize stopped because the run was stopped, ${progress}`, {
      input: 'Recognize',
      hint: 'run the same job again: it skips the saved chunks',
      ...causeDetail,
    });
  }
}
