/** How far a search has got, whichever runtime runs it: what the CLI's progress line shows. */
export interface SearchProgress {
  phase: 'upload' | 'prepare' | 'recognize' | 'montage' | 'cut' | 'join' | 'download';
  chunksDone: number;
  chunksTotal: number;
  facesFound: number;
}
