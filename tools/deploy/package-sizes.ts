import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { inputError } from '../../shared/errors.ts';
import { zipEntries } from './zip-reader.ts';

/** Lambda's quota on a function's code plus all its layers, unzipped ("250 MB" = 250 MiB). */
export const LAMBDA_UNZIPPED_LIMIT_BYTES = 250 * 1024 * 1024;

export interface ArtifactSize {
  /** The artifact's file in the package folder, e.g. `recognize.zip`. */
  artifact: string;
  bytes: number;
}

export interface FunctionSize {
  /** The function's key in serverless.yml. */
  name: string;
  logicalId: string;
  code: ArtifactSize;
  layers: (ArtifactSize & { logicalId: string })[];
  totalBytes: number;
  limitBytes: number;
  fits: boolean;
}

interface TemplateResource {
  Type: string;
  Properties?: { Code?: { S3Key?: string }; Content?: { S3Key?: string }; Layers?: unknown[] };
}

export interface PackagedTemplate {
  Resources: Record<string, TemplateResource>;
}

export function readPackagedTemplate(packageDir: string): PackagedTemplate {
  const path = join(packageDir, 'cloudformation-template-update-stack.json');
  if (!existsSync(path)) throw inputError(`no packaged template at ${path}`, { input: packageDir, hint: 'run `npm run package` first' });
  return JSON.parse(readFileSync(path, 'utf-8')) as PackagedTemplate;
}

async function unzippedBytes(packageDir: string, s3Key: string | undefined, what: string): Promise<ArtifactSize> {
  if (s3Key === undefined) throw inputError(`${what} has no S3Key in the template`, { input: what });
  const artifact = basename(s3Key);
  const entries = await zipEntries(join(packageDir, artifact));
  return { artifact, bytes: entries.reduce((sum, entry) => sum + entry.size, 0) };
}

/**
 * Unzipped size of every function's code plus its layers, read from what `sls package` wrote
 * (the template and the zips), so the check covers exactly what would be deployed.
 */
export async function packageSizes(packageDir: string, limitBytes = LAMBDA_UNZIPPED_LIMIT_BYTES): Promise<FunctionSize[]> {
  const { Resources } = readPackagedTemplate(packageDir);
  const sizes: FunctionSize[] = [];
  for (const [logicalId, resource] of Object.entries(Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const code = await unzippedBytes(packageDir, resource.Properties?.Code?.S3Key, logicalId);
    const layers: FunctionSize['layers'] = [];
    for (const layer of resource.Properties?.Layers ?? []) {
      const ref = typeof layer === 'object' && layer !== null && 'Ref' in layer ? String((layer as { Ref: unknown }).Ref) : undefined;
      const layerResource = ref === undefined ? undefined : Resources[ref];
      if (ref === undefined || layerResource?.Type !== 'AWS::Lambda::LayerVersion') {
        throw inputError(`${logicalId} uses layer ${JSON.stringify(layer)}, which is not packaged here, so its size is unknown`, {
          input: logicalId,
          hint: 'only layers defined in serverless.yml can be measured',
        });
      }
      layers.push({ logicalId: ref, ...(await unzippedBytes(packageDir, layerResource.Properties?.Content?.S3Key, ref)) });
    }
    const totalBytes = code.bytes + layers.reduce((sum, layer) => sum + layer.bytes, 0);
    sizes.push({ name: code.artifact.replace(/\.zip$/, ''), logicalId, code, layers, totalBytes, limitBytes, fits: totalBytes <= limitBytes });
  }
  return sizes;
}

const mb = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

/** One line per function: code + layers = total (of the limit). */
export function formatSizes(sizes: readonly FunctionSize[]): string {
  return sizes
    .map((size) => {
      const parts = [`code ${mb(size.code.bytes)}`, ...size.layers.map((layer) => `${layer.artifact.replace(/\.zip$/, '')} ${mb(layer.bytes)}`)];
      const verdict = size.fits ? 'ok' : 'TOO BIG';
      return `${size.name.padEnd(10)} ${parts.join(' + ')} = ${mb(size.totalBytes)} of ${mb(size.limitBytes)} unzipped: ${verdict}`;
    })
    .join('\n');
}
