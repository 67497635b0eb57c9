import { fileURLToPath } from 'node:url';

/** A ground-truth file of the project's fixtures (a copy of ../shared/data/labels). */
export const labelPath = (name: string): string => fileURLToPath(new URL(`../../../fixtures/labels/${name}`, import.meta.url));
