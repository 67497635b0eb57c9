/**
 * `value` rounded to `digits` decimals: what stored JSON keeps of times, boxes and descriptors
 * (no 2.3000000000000003, nothing a video or a descriptor can resolve lost).
 */
export const roundTo = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;
