import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

/**
 * The local plugin's check before anything is packaged (tools/deploy/offline-package-plugin.cjs),
 * on a stand-in for the Framework: serverless.yml reads the models fingerprint from the onnx
 * layer's manifest with a stand-in value, so commands that deploy nothing run without built
 * layers; packaging must refuse the stand-in, or executions would be named without their models.
 */
type Plugin = new (serverless: unknown, options: unknown) => { hooks: Record<string, () => void> };
const OfflinePackagePlugin = createRequire(import.meta.url)('../../tools/deploy/offline-package-plugin.cjs') as Plugin;

function frameworkWith(modelsFingerprint: string): unknown {
  return {
    processedInput: { commands: ['deploy'] },
    serviceDir: '/nowhere',
    classes: { Error },
    service: { provider: { architecture: 'x86_64' }, custom: { modelsFingerprint }, getAllLayers: () => [], getLayer: () => undefined },
  };
}

const checkWith = (modelsFingerprint: string) => () => new OfflinePackagePlugin(frameworkWith(modelsFingerprint), {}).hooks['before:package:initialize']!();

describe('offline-package-plugin', () => {
  it('refuses to package an onnx layer whose manifest names no models fingerprint', () => {
    expect(checkWith('layers-not-built')).toThrow(/the onnx layer's layer-manifest\.json names no models fingerprint \(found layers-not-built\).*npm run package/);
  });

  it('packages a stack whose onnx layer names its models', () => {
    expect(checkWith('0123456789abcdef')).not.toThrow();
  });
});
