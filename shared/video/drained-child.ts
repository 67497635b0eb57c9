import { Readable, PassThrough } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { ChildExit } from './ffmpeg.ts';

/** A child process whose pipes are read by a worker thread. */
export interface DrainedChild {
  /** The child's stdout; reading it is what lets the child run further ahead. */
  stdout: Readable;
  /** The child's stderr, unbounded (it must always be read to the end). */
  stderr: Readable;
  /** Resolves once the child is gone and everything it wrote has been delivered. */
  exited: Promise<ChildExit>;
  /** Whether the child has not exited yet. */
  running(): boolean;
  /**
   * Hands a piece of stdout the consumer is done with back for the next one (with `chunkBytes`):
   * a fresh piece costs new zeroed pages every frame. The piece is moved, not copied: `piece`
   * is empty afterwards.
   */
  recycle(piece: Uint8Array): void;
  kill(): void;
}

type WorkerMessage = { id: number } & (
  | { type: 'stdout' | 'stderr'; data: Uint8Array }
  | { type: 'close'; code: number | null; signal: NodeJS.Signals | null }
  | { type: 'error'; message: string; code?: string; started: boolean }
);

/**
 * The worker's code, plain JavaScript evaluated as a script so it runs the same from source, under
 * tests and inside a Lambda bundle. One worker serves every child this thread spawns (starting a
 * worker costs tens of milliseconds, a chunk's whole decode a few hundred): for each it forwards
 * both pipes, tagged with the child's id, and pauses the child's stdout while more than
 * `aheadBytes` have been sent but not yet read by the consumer.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { spawn } = require('node:child_process');
const children = new Map();
function start({ id, command, args, aheadBytes, chunkBytes }) {
  const post = (message, transfer) => parentPort.postMessage({ id, ...message }, transfer);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let ahead = 0;
  const send = (type, data) => {
    if (type === 'stdout') {
      ahead += data.byteLength;
      if (ahead > aheadBytes) child.stdout.pause();
    }
    // Transferred, not copied: data is empty from here on.
    post({ type, data }, [data.buffer]);
  };
  // stdout in pieces of chunkBytes (one frame): one copy and one message per piece, not per pipe read.
  // Pieces the consumer has finished with come back to be filled again.
  const spare = [];
  let piece = null;
  let filled = 0;
  const flushPiece = () => {
    if (filled > 0) send('stdout', piece.subarray(0, filled));
    piece = null;
    filled = 0;
  };
  child.stdout.on('data', (chunk) => {
    if (!chunkBytes) return send('stdout', new Uint8Array(chunk));
    for (let offset = 0; offset < chunk.length; ) {
      piece ??= spare.pop() ?? new Uint8Array(chunkBytes);
      const n = Math.min(chunkBytes - filled, chunk.length - offset);
      piece.set(chunk.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled === chunkBytes) flushPiece();
    }
  });
  child.stdout.on('end', flushPiece);
  child.stderr.on('data', (chunk) => send('stderr', new Uint8Array(chunk)));
  child.on('error', (error) => {
    const started = child.pid !== undefined;
    // A child that started still sends 'close'; one that never started does not.
    if (!started) children.delete(id);
    post({ type: 'error', message: error.message, code: error.code, started });
  });
  child.on('close', (code, signal) => {
    children.delete(id);
    post({ type: 'close', code, signal });
  });
  children.set(id, (message) => {
    if (message.type === 'read') {
      ahead -= message.bytes;
      if (ahead <= aheadBytes) child.stdout.resume();
    } else if (message.type === 'recycle') {
      spare.push(new Uint8Array(message.buffer));
    } else if (message.type === 'kill') {
      // Output nobody will read is dropped, or the paused pipe would hold back the child's 'close'.
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      child.kill('SIGKILL');
    }
  });
}
parentPort.on('message', (message) => {
  if (message.type === 'spawn') start(message);
  else children.get(message.id)?.(message);
});
`;

/** Where the relay worker's messages for one child go; `lost` when the worker itself died. */
interface Route {
  message(message: WorkerMessage): void;
  lost(error: Error): void;
}

/** This thread's relay worker and the children it is serving. */
interface Relay {
  worker: Worker;
  routes: Map<number, Route>;
}

let relay: Relay | undefined;
let nextChildId = 0;

/** The relay worker, started on first use; it keeps the process alive only while a child runs. */
function theRelay(): Relay {
  if (relay) return relay;
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  const current: Relay = { worker, routes: new Map() };
  const lose = (error: Error): void => {
    if (relay === current) relay = undefined;
    for (const route of current.routes.values()) route.lost(error);
    current.routes.clear();
  };
  worker.on('message', (message: WorkerMessage) => current.routes.get(message.id)?.message(message));
  worker.on('error', lose);
  worker.on('exit', (code) => lose(new Error(`the pipe relay worker exited (code ${code})`)));
  worker.unref();
  relay = current;
  return current;
}

function route(target: Relay, id: number, handler: Route): void {
  if (target.routes.size === 0) target.worker.ref();
  target.routes.set(id, handler);
}

function unroute(target: Relay, id: number): void {
  if (target.routes.delete(id) && target.routes.size === 0) target.worker.unref();
}

/**
 * stdout as the consumer sees it: chunks are handed to the stream only when it asks for more, and
 * each one handed over is reported to the worker as read.
 */
class OnDemandStream extends Readable {
  private readonly queue: Buffer[] = [];
  private wanted = false;
  private ended = false;

  constructor(private readonly onRead: (bytes: number) => void) {
    super();
  }

  override _read(): void {
    this.wanted = true;
    this.flush();
  }

  deliver(chunk: Buffer): void {
    this.queue.push(chunk);
    this.flush();
  }

  finish(): void {
    this.ended = true;
    this.flush();
  }

  private flush(): void {
    while (this.wanted && this.queue.length > 0) {
      const chunk = this.queue.shift()!;
      this.onRead(chunk.length);
      this.wanted = this.push(chunk);
    }
    if (this.ended && this.queue.length === 0) this.push(null);
  }
}

/**
 * Spawns `command` with its stdout and stderr read by a worker thread. ONNX Runtime's inference
 * holds this thread's event loop, so a pipe read here is not drained during inference and the
 * child stalls on it; read by the worker, the child keeps working (ffmpeg decodes the next
 * frames) up to `aheadBytes` beyond what the consumer has read. With `chunkBytes`, stdout comes in
 * pieces of exactly that size (the last may be shorter): a reader of fixed-size records (decoded
 * frames) gets each in one piece, not concatenated from 64 KB pipe reads.
 */
export function spawnDrained(command: string, args: readonly string[], options: { aheadBytes: number; chunkBytes?: number }): DrainedChild {
  const target = theRelay();
  const id = nextChildId++;
  const post = (message: { type: 'read'; bytes: number } | { type: 'kill' }): void => target.worker.postMessage({ id, ...message });
  const stdout = new OnDemandStream((bytes) => post({ type: 'read', bytes }));
  const stderr = new PassThrough();
  let running = true;
  const exited = new Promise<ChildExit>((resolve) => {
    let error: Error | undefined;
    const done = (exit: ChildExit): void => {
      if (!running) return;
      running = false;
      unroute(target, id);
      stdout.finish();
      stderr.end();
      resolve(exit);
    };
    route(target, id, {
      message: (message) => {
        switch (message.type) {
          case 'stdout':
          case 'stderr': {
            const chunk = Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength);
            if (message.type === 'stdout') stdout.deliver(chunk);
            else stderr.write(chunk);
            break;
          }
          case 'close':
            done({ code: message.code, signal: message.signal, ...(error ? { error } : {}) });
            break;
          case 'error':
            error = Object.assign(new Error(message.message), { code: message.code });
            if (!message.started) done({ code: null, signal: null, error });
            break;
        }
      },
      lost: (lostError) => done({ code: null, signal: null, error: lostError }),
    });
    target.worker.postMessage({ type: 'spawn', id, command, args, aheadBytes: options.aheadBytes, chunkBytes: options.chunkBytes ?? 0 });
  });
  return {
    stdout,
    stderr,
    exited,
    running: () => running,
    recycle: (piece) => {
      const chunkBytes = options.chunkBytes ?? 0;
      // Only whole pieces this worker made; anything else is left to the garbage collector.
      if (!running || chunkBytes === 0 || piece.byteOffset !== 0 || piece.buffer.byteLength !== chunkBytes || !(piece.buffer instanceof ArrayBuffer)) return;
      target.worker.postMessage({ type: 'recycle', id, buffer: piece.buffer }, [piece.buffer]);
    },
    kill: () => {
      if (running) post({ type: 'kill' });
    },
  };
}
