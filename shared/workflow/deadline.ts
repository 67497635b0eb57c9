import { workflowError, type LambdafaceError } from '../errors.ts';

/**
 * What a step needs of the context its Lambda was invoked with: the time left (Lambda's) and, when
 * the local runner invokes it, the run's abort signal.
 */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
  signal?: AbortSignal;
}

/** A step's time limit, so it can stop cleanly instead of being killed mid-work. */
export interface Deadline {
  /** Epoch ms at which the invocation is killed (Lambda's timeout, or the local runner's). */
  at: number;
  /** Epoch ms at which `signal` fires for the time limit: a safety margin before `at`. */
  stopAt: number;
  /** Fires at `stopAt`, or earlier when a local run is stopped; its reason says which. */
  signal: AbortSignal;
  /** The clock `at` and `stopAt` are on: Date.now, or a test's own. */
  now(): number;
}

/**
 * Time kept between the stop signal and the kill: enough to stop ffmpeg and return an error. A
 * short limit keeps a tenth of itself instead, so the step still gets most of it.
 */
const STOP_MARGIN_MS = 10_000;

/** The margin kept for a limit of `limitMs`. */
function stopMargin(limitMs: number): number {
  return Math.min(STOP_MARGIN_MS, Math.floor(limitMs / 10));
}

/** setTimeout's longest delay (2^31 - 1 ms); a longer one would fire at once. */
export const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** Seconds for a message: whole ones, tenths under 10 s; never negative. */
export function seconds(ms: number): number {
  const clamped = Math.max(0, ms);
  return clamped >= 10_000 ? Math.round(clamped / 1000) : Math.round(clamped / 100) / 10;
}

/** The reasons this module's timers gave, so a step can tell its time limit from a stopped run. */
const timeLimitReasons = new WeakSet<object>();

/** The reason a deadline's signal fires with at its stop time, `awayMs` before the time limit. */
export function timeLimitReason(awayMs: number): LambdafaceError {
  const reason = workflowError(`the time limit was ${seconds(awayMs)} s away`);
  timeLimitReasons.add(reason);
  return reason;
}

/** Whether a signal's reason is the time limit (else the run was stopped: Ctrl-C, a failed branch). */
export function isTimeLimit(reason: unknown): boolean {
  return typeof reason === 'object' && reason !== null && timeLimitReasons.has(reason);
}

/**
 * The deadline of one invocation, from the Lambda context it was called with: `at` is measured at
 * entry from getRemainingTimeInMillis(). Call `dispose` when the invocation returns, so a warm
 * Lambda keeps no timer or listener of a finished invocation.
 */
export function deadlineOf(lambda: LambdaContext, now: () => number = Date.now): { deadline: Deadline; dispose(): void } {
  const started = now();
  const limit = Math.max(0, lambda.getRemainingTimeInMillis());
  const at = started + limit;
  const stopAt = at - stopMargin(limit);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(timeLimitReason(at - stopAt)), Math.min(stopAt - started, LONGEST_TIMER_MS));
  const outer = lambda.signal;
  const forward = (): void => controller.abort(outer?.reason);
  if (outer?.aborted) forward();
  else outer?.addEventListener('abort', forward, { once: true });
  return {
    deadline: { at, stopAt, signal: controller.signal, now },
    dispose: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', forward);
    },
  };
}
