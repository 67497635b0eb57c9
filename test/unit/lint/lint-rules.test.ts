import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

/**
 * biome.json's rules, checked on probe files written into the tree (the layer rules are keyed on
 * where a file lives) and linted by the real CLI, as `npm run lint` runs it.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIOME = join(ROOT, 'node_modules/.bin/biome');
const tag = `lint-probe-${process.pid}`;

/** One probe per rule: where it lives, what it says, and the diagnostic that must come back. */
const PROBES = [
  { path: `shared/vision/${tag}.ts`, text: "import { a } from '../../tools/models/build-models.ts';\nexport const b = a;\n", rule: 'lint/style/noRestrictedImports' },
  { path: `functions/${tag}.ts`, text: "import { a } from '../test/cli-run.ts';\nexport const b = a;\n", rule: 'lint/style/noRestrictedImports' },
  { path: `shared/vision/${tag}-match.ts`, text: "import { a } from '../match/tracks.ts';\nexport const b = a;\n", rule: 'lint/style/noRestrictedImports' },
  { path: `shared/workflow/${tag}.ts`, text: "import { a } from '../remote/target.ts';\nexport const b = a;\n", rule: 'lint/style/noRestrictedImports' },
  { path: `shared/remote/${tag}.ts`, text: "import { a } from '../local/search.ts';\nexport const b = a;\n", rule: 'lint/style/noRestrictedImports' },
  { path: `bench/${tag}.ts`, text: "import { a } from '../test/cli-run.ts';\nexport const b = a;\n", rule: 'lint/style/noRestrictedImports' },
  { path: `test/${tag}-unused.ts`, text: "import { join } from 'node:path';\nexport const b = 1;\n", rule: 'lint/correctness/noUnusedImports' },
  { path: `test/${tag}-only.ts`, text: "import { it } from 'vitest';\nit.only('x', () => {});\n", rule: 'lint/suspicious/noFocusedTests' },
  { path: `test/${tag}-skip.ts`, text: "import { it } from 'vitest';\nit.skip('x', () => {});\n", rule: 'lint/suspicious/noSkippedTests' },
  { path: `test/${tag}-cycle-a.ts`, text: `import { b } from './${tag}-cycle-b.ts';\nexport const a = (): number => b() + 1;\n`, rule: 'lint/suspicious/noImportCycles' },
  { path: `test/${tag}-cycle-b.ts`, text: `import { a } from './${tag}-cycle-a.ts';\nexport const b = (): number => a() + 1;\n`, rule: 'lint/suspicious/noImportCycles' },
] as const;

const reportSchema = z.object({ diagnostics: z.array(z.object({ category: z.string().optional(), location: z.object({ path: z.string().nullish() }).nullish() })) });

afterAll(() => {
  for (const probe of PROBES) rmSync(join(ROOT, probe.path), { force: true });
});

describe('npm run lint (biome.json)', () => {
  it('fails each probe with its rule: layer boundaries, unused imports, focused and skipped tests, import cycles', () => {
    for (const probe of PROBES) {
      mkdirSync(dirname(join(ROOT, probe.path)), { recursive: true });
      writeFileSync(join(ROOT, probe.path), probe.text);
    }
    const run = spawnSync(BIOME, ['lint', '--reporter=json', '--max-diagnostics=100', ...PROBES.map((p) => p.path)], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(1);
    const { diagnostics } = reportSchema.parse(JSON.parse(run.stdout));
    for (const probe of PROBES) {
      const rules = diagnostics.filter((d) => d.location?.path === probe.path).map((d) => d.category);
      expect(rules, probe.path).toContain(probe.rule);
    }
  });

  it('passes a runtime file whose imports follow the layers', () => {
    const path = `shared/match/${tag}-ok.ts`;
    writeFileSync(join(ROOT, path), "import { weightedNms } from '../vision/nms.ts';\nexport const b = weightedNms;\n");
    try {
      const run = spawnSync(BIOME, ['lint', path], { cwd: ROOT, encoding: 'utf8' });
      expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
    } finally {
      rmSync(join(ROOT, path), { force: true });
    }
  });
});
