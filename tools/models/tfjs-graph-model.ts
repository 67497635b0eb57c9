import { z } from 'zod';
import { weightsManifestSchema } from './tfjs-weights.ts';

/**
 * The parts of a TF.js graph-model `model.json` the converter reads, validated with zod so a
 * changed or unexpected file fails with a message instead of a half-converted model.
 */

const attrValueSchema = z.object({
  s: z.string().optional(), // base64
  i: z.union([z.string(), z.number()]).optional(),
  f: z.number().optional(),
  b: z.boolean().optional(),
  type: z.string().optional(),
  list: z
    .object({
      s: z.array(z.string()).optional(),
      i: z.array(z.union([z.string(), z.number()])).optional(),
      f: z.array(z.number()).optional(),
    })
    .optional(),
});
export type TfAttrValue = z.infer<typeof attrValueSchema>;

const nodeSchema = z.object({
  name: z.string(),
  op: z.string(),
  input: z.array(z.string()).optional(),
  attr: z.record(z.string(), attrValueSchema).optional(),
});
export type TfNode = z.infer<typeof nodeSchema>;

export const graphModelSchema = z.object({
  format: z.literal('graph-model'),
  modelTopology: z.object({ node: z.array(nodeSchema) }),
  weightsManifest: weightsManifestSchema,
});
export type TfGraphModel = z.infer<typeof graphModelSchema>;

/** Typed access to a node's attributes, with errors that name the node. */
export class NodeAttrs {
  constructor(private readonly node: TfNode) {}

  private get(key: string): TfAttrValue | undefined {
    return this.node.attr?.[key];
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  string(key: string, fallback?: string): string {
    const v = this.get(key)?.s;
    if (v === undefined) {
      if (fallback !== undefined) return fallback;
      throw new Error(`${this.node.op} ${this.node.name}: missing attribute ${key}`);
    }
    return Buffer.from(v, 'base64').toString('utf8');
  }

  strings(key: string): string[] {
    return (this.get(key)?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
  }

  int(key: string, fallback?: number): number {
    const v = this.get(key)?.i;
    if (v === undefined) {
      if (fallback !== undefined) return fallback;
      throw new Error(`${this.node.op} ${this.node.name}: missing attribute ${key}`);
    }
    return Number(v);
  }

  ints(key: string): number[] {
    return (this.get(key)?.list?.i ?? []).map((v) => Number(v));
  }

  bool(key: string, fallback = false): boolean {
    return this.get(key)?.b ?? fallback;
  }

  float(key: string, fallback?: number): number {
    const v = this.get(key)?.f;
    if (v === undefined) {
      if (fallback !== undefined) return fallback;
      throw new Error(`${this.node.op} ${this.node.name}: missing attribute ${key}`);
    }
    return v;
  }
}

/** Splits a TF input reference `name:index` / `^name` (control dependency). */
export function parseInputRef(ref: string): { node: string; index: number; control: boolean } {
  if (ref.startsWith('^')) return { node: ref.slice(1), index: 0, control: true };
  const m = /^(.*):(\d+)$/.exec(ref);
  return m ? { node: m[1] as string, index: Number(m[2]), control: false } : { node: ref, index: 0, control: false };
}
