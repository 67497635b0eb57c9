'use strict';

// A local Serverless Framework plugin (CommonJS: the Framework require()s plugins).
//
// 1. `sls package` without credentials. The Framework's layer compiler asks CloudFormation for
//    the last deployed stack (compareWithLastLayer) so `deploy` can skip re-uploading an unchanged
//    layer. That is the only AWS call `package` makes, and it fails with no credentials or no
//    network (CI). For the `package` command it is replaced by a no-op; `deploy` keeps it.
// 2. Layers built for the wrong architecture, or not built at all, are refused before anything is
//    zipped: packaging an x86_64 ffmpeg into an arm64 stack would deploy and then fail at run time.
//    So is an onnx layer whose manifest names no models fingerprint (executions are named with it).

const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const MANIFEST = 'layer-manifest.json';

class OfflinePackagePlugin {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options;
    this.hooks = {
      'before:package:initialize': () => this.checkLayers(),
    };
    if (this.isPackageOnly()) this.skipLayerComparison();
  }

  isPackageOnly() {
    const commands = (this.serverless.processedInput && this.serverless.processedInput.commands) || [];
    return commands.length === 1 && commands[0] === 'package';
  }

  skipLayerComparison() {
    const compiler = this.serverless.pluginManager.plugins.find(
      (plugin) => typeof plugin.compareWithLastLayer === 'function',
    );
    if (!compiler) {
      throw new this.serverless.classes.Error(
        'offline-package-plugin: the Framework has no compareWithLastLayer any more; update tools/deploy/offline-package-plugin.cjs',
      );
    }
    // An instance property shadows the class method the layer hook calls.
    compiler.compareWithLastLayer = async () => undefined;
  }

  checkLayers() {
    const service = this.serverless.service;
    const arch = service.provider.architecture || 'x86_64';
    const problems = [];
    for (const name of service.getAllLayers()) {
      const layer = service.getLayer(name);
      const dir = join(this.serverless.serviceDir, layer.path);
      const manifestPath = join(dir, MANIFEST);
      if (!existsSync(manifestPath)) {
        problems.push(`layer ${name}: ${layer.path} is not built`);
        continue;
      }
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf-8'));
      if (manifest.arch !== arch) problems.push(`layer ${name}: ${layer.path} is built for ${manifest.arch}, the stack is ${arch}`);
    }
    // serverless.yml reads it from the onnx layer's manifest (with a stand-in, so commands that
    // deploy nothing work without built layers): a stack must never be deployed without it.
    const models = service.custom && service.custom.modelsFingerprint;
    if (!/^[0-9a-f]{16}$/.test(String(models))) problems.push(`the onnx layer's ${MANIFEST} names no models fingerprint (found ${models}): it was built by an older lambdaface`);
    if (problems.length > 0) {
      throw new this.serverless.classes.Error(
        `${problems.join('; ')}. Run \`npm run layers -- --arch ${arch}\` (or \`npm run package\`, which builds them).`,
      );
    }
  }
}

module.exports = OfflinePackagePlugin;
