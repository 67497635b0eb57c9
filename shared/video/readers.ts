import type { VideoInfo } from './types.ts';

/** Most ffmpeg reads of one source at once: a thumbnail's read mostly waits on ranged requests. */
const MAX_READERS = 8;
/**
 * ffmpeg keeps a non-fragmented MP4's whole packet index in every process that opens it, about
 * 48 bytes a packet (measured: 23 MB of resident set for a 20-minute 640x360 file, 46 MB for six
 * hours of it at 25 fps). Many readers of a long video would make a step's memory grow with the
 * video's length, so they share this much index between them.
 */
const INDEX_BUDGET_BYTES = 64 * 2 ** 20;
const INDEX_BYTES_PER_PACKET = 48;
/** AAC at 48 kHz: 1024 samples a packet. */
const AUDIO_PACKETS_PER_SECOND = 47;

/** How many ffmpeg processes may read `video` at once within the index budget: at least one. */
export function concurrentReaders(video: VideoInfo): number {
  const videoPackets = video.frameCount ?? video.durationSeconds * video.fps;
  const audioPackets = video.hasAudio ? video.durationSeconds * AUDIO_PACKETS_PER_SECOND : 0;
  const indexBytes = (videoPackets + audioPackets) * INDEX_BYTES_PER_PACKET;
  return Math.max(1, Math.min(MAX_READERS, Math.floor(INDEX_BUDGET_BYTES / indexBytes)));
}
