import { existsSync } from 'node:fs';
import { inputError } from '../errors.ts';

/**
 * drawtext needs a font file: the static ffmpeg has freetype but no usable fontconfig setup, and a
 * Lambda has no fonts at all. A layer can ship one at /opt/fonts; Debian's fonts-dejavu-core,
 * Amazon Linux's dejavu-sans-fonts and Arch's ttf-dejavu put DejaVu Sans at these places.
 */
const CANDIDATES = [
  '/opt/fonts/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf',
];

/**
 * The font to draw labels with: `explicit`, else LAMBDAFACE_FONT, else the first candidate that
 * exists; undefined when there is none (labels are then left out, not an error).
 */
export function findFont(explicit?: string): string | undefined {
  for (const [given, input] of [
    [explicit, 'fontFile'],
    [process.env.LAMBDAFACE_FONT, 'LAMBDAFACE_FONT'],
  ] as const) {
    if (!given) continue;
    if (!existsSync(given)) throw inputError(`font file not found: ${given}`, { input, hint: 'give a .ttf or .otf file, or leave it unset to use a system font' });
    return given;
  }
  return CANDIDATES.find((path) => existsSync(path));
}
