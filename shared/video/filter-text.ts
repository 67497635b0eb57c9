/**
 * Escapes a value for a filter option inside a -vf / -filter_complex graph. ffmpeg unescapes twice:
 * once when splitting the graph into filters (`,;[]` and quotes), once when splitting a filter's
 * options (`:` and quotes), so a path like `/tmp/a:b,c/font.ttf` needs both levels.
 */
export function filterValue(value: string): string {
  const optionLevel = value.replace(/[\\':]/g, (c) => `\\${c}`);
  return optionLevel.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}

/** A number as a filter argument: no exponent notation, a few decimals at most. */
export const filterNumber = (value: number, decimals = 3): string => String(Number(value.toFixed(decimals)));
