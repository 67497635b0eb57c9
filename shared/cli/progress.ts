import type { SearchProgress } from '../workflow/search-progress.ts';

const PHASES: Record<SearchProgress['phase'], string> = {
  upload: 'uploading inputs',
  prepare: 'training gallery and planning chunks',
  recognize: 'recognizing',
  montage: 'building timeline and report',
  cut: "cutting the montage's pieces",
  join: 'joining the montage',
  download: 'saving outputs',
};

export interface ProgressReporter {
  update(progress: SearchProgress): void;
  /** The search succeeded: says how long it took. */
  done(): void;
  /** The search failed: clears the bar and says nothing, so the error is all that is printed. */
  fail(): void;
}

/**
 * A progress bar (chunks done/total, faces found, ETA) on a terminal; plain lines otherwise, one
 * per phase and per tenth of the chunks, so logs stay readable.
 */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  const started = Date.now();
  let recognizeStarted = 0;
  let lastPhase = '';
  let lastTenth = -1;
  const tty = Boolean(stream.isTTY);
  const line = (p: SearchProgress): string => {
    if (p.phase !== 'recognize' || p.chunksTotal === 0) return `${PHASES[p.phase]}…`;
    const fraction = p.chunksDone / p.chunksTotal;
    const width = 24;
    const filled = Math.round(fraction * width);
    const elapsed = (Date.now() - recognizeStarted) / 1000;
    const eta = p.chunksDone > 0 ? Math.round((elapsed / p.chunksDone) * (p.chunksTotal - p.chunksDone)) : null;
    return `recognizing [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.chunksDone}/${p.chunksTotal} chunks, ${p.facesFound} faces${eta === null ? '' : `, ETA ${eta} s`}`;
  };
  return {
    update(p) {
      if (p.phase === 'recognize' && recognizeStarted === 0) recognizeStarted = Date.now();
      if (tty) {
        stream.write(`\r\x1b[2K${line(p)}`);
        return;
      }
      const tenth = p.chunksTotal > 0 ? Math.floor((p.chunksDone / p.chunksTotal) * 10) : -1;
      if (p.phase !== lastPhase || (p.phase === 'recognize' && tenth !== lastTenth)) stream.write(`${line(p)}\n`);
      lastPhase = p.phase;
      lastTenth = tenth;
    },
    done() {
      if (tty) stream.write(`\r\x1b[2K`);
      stream.write(`finished in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    },
    fail() {
      if (tty) stream.write(`\r\x1b[2K`);
    },
  };
}
