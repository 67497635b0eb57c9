import type { MontagePlan, PlacedCut } from '../timeline/montage-plan.ts';
import { escapeHtml } from './escape.ts';
import { clock } from './format.ts';

/** The montage file beside the report, and where each of its cuts comes from in the source. */
export interface MontagePlayer {
  src: string;
  placed: PlacedCut[];
  /** The plan it was cut from, for what the cap shortened or left out. */
  plan?: Pick<MontagePlan, 'onScreenSeconds' | 'shownSeconds' | 'capSeconds' | 'omitted'>;
}

/** What the montage's cap shortened or left out, each span with its time and people. */
function omissions(plan: NonNullable<MontagePlayer['plan']>): string {
  if (plan.omitted.length === 0) return '';
  const items = plan.omitted.map(
    (span) => `<li>${clock(span.start)}–${clock(span.end)} ${escapeHtml(span.names.join(', '))}: ${span.shown > 0 ? `first ${span.shown.toFixed(1)} s shown` : 'left out'}</li>`,
  );
  return `<details class="omitted"><summary>The montage is capped at ${clock(plan.capSeconds)}: it shows ${clock(plan.shownSeconds)} of the ${clock(plan.onScreenSeconds)} with someone on screen. ${plan.omitted.length} stretch(es) shortened or left out; the rest of them is only in the video.</summary><ul>${items.join('')}</ul></details>`;
}

/**
 * The page's one player. With a montage, every segment plays from its place in the montage (the
 * file beside the report). Without one, the reader opens the source video from their own disk:
 * the report cannot know where the video is (locally it is wherever the user keeps it, on AWS a
 * bucket object behind expiring links), and a file the browser opens needs no network.
 */
export function playerSection(montage: MontagePlayer | null, videoName: string): string {
  if (montage !== null) {
    const length = montage.placed.reduce((sum, cut) => sum + (cut.end - cut.start), 0);
    return `<section class="player" aria-label="player">
<video id="player" data-mode="montage" controls playsinline preload="metadata" src="${escapeHtml(montage.src)}"></video>
<p id="player-status" role="status">The montage: only the moments found (${clock(length)}). Click a segment to play it.</p>
${montage.plan === undefined ? '' : omissions(montage.plan)}
</section>`;
  }
  return `<section class="player" aria-label="player">
<video id="player" data-mode="source" controls playsinline preload="metadata" hidden></video>
<p><label>No montage. To play the moments, open ${escapeHtml(videoName)} from your disk: <input id="source-file" type="file" accept="video/*"></label></p>
<p id="player-status" role="status"></p>
</section>`;
}

/**
 * Seeks the player to a clicked segment and plays it. Every clickable element carries the
 * segment's source time (data-source) and its montage time (data-montage, when the montage has it).
 */
export const PLAYER_SCRIPT = `
(() => {
  const player = document.getElementById('player');
  const status = document.getElementById('player-status');
  const picker = document.getElementById('source-file');
  const montage = player.dataset.mode === 'montage';
  if (picker) {
    picker.addEventListener('change', () => {
      const file = picker.files && picker.files[0];
      if (!file) return;
      player.src = URL.createObjectURL(file);
      player.hidden = false;
      status.textContent = file.name + ': click a segment to play it.';
    });
  }
  let active = [];
  document.addEventListener('click', (event) => {
    const target = event.target.closest('[data-source]');
    if (!target) return;
    const time = Number(montage ? target.dataset.montage : target.dataset.source);
    if (!Number.isFinite(time)) return;
    if (!montage && !player.currentSrc) {
      status.textContent = 'Open the video first (above), then click the segment again.';
      if (picker) picker.focus();
      return;
    }
    for (const element of active) element.classList.remove('active');
    active = [...document.querySelectorAll('[data-key="' + CSS.escape(target.dataset.key) + '"]')];
    for (const element of active) element.classList.add('active');
    const seek = () => {
      player.currentTime = time;
      // A click lets the page play; a browser that still refuses leaves the player paused at the moment.
      player.play().catch(() => undefined);
    };
    if (player.readyState >= 1) seek();
    else player.addEventListener('loadedmetadata', seek, { once: true });
  });
})();
`;
