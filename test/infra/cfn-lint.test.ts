/**
 * cfn-lint on the template `cdk synth` produces: no error, and no warning but those the repository's
 * cfn-lint configuration (.cfnlintrc.yaml) acknowledges, each with its reason, each still raised.
 * Runs where cfn-lint is installed; under CI=true or REQUIRE_CFN_LINT=1 (.ci/run sets both) a missing
 * cfn-lint fails; elsewhere the lint is skipped and says why.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/bundling/options';
import { EXAMPLE_PARAMETERS, synthesize } from './synth';

interface Finding {
  Level: 'Error' | 'Warning' | 'Informational';
  Rule: { Id: string };
  Message: string;
  Location: { Path: (string | number)[] };
}

const installed = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;
const required = process.env.REQUIRE_CFN_LINT === '1' || process.env.CI === 'true';
if (!installed && !required)
  console.log('cfn-lint tests skipped: no `cfn-lint` command found (pip install cfn-lint); CI=true fails instead.');

/** The checks .cfnlintrc.yaml switches off, each with the comment above it. */
function acknowledged(): { check: string; reason: string }[] {
  const lines = readFileSync(join(PROJECT_ROOT, '.cfnlintrc.yaml'), 'utf8').split('\n');
  return lines.flatMap((line, i) => {
    const entry = /^\s+-\s+([EWI]\d{4})\s*$/.exec(line);
    if (!entry) return [];
    const reason: string[] = [];
    for (let j = i - 1; j >= 0 && /^\s+#/.test(lines[j] as string); j--)
      reason.unshift((lines[j] as string).trim().slice(1).trim());
    return [{ check: entry[1] as string, reason: reason.join(' ') }];
  });
}

function lint(templateFile: string, cwd: string): Finding[] {
  const run = spawnSync('cfn-lint', ['--format', 'json', templateFile], { cwd, encoding: 'utf8' });
  if (run.error) throw run.error;
  // cfn-lint exits non-zero when it finds anything; its findings are on stdout either way.
  return JSON.parse(run.stdout || '[]') as Finding[];
}

describe('cfn-lint', () => {
  it('is installed where the tests are required to run it', () => {
    expect({ installed: installed || !required }).toEqual({ installed: true });
  });

  describe.runIf(installed)('on the synthesized template', () => {
    let templateFile: string;

    beforeAll(() => {
      const { template } = synthesize(EXAMPLE_PARAMETERS, { bundle: false });
      templateFile = join(mkdtempSync(join(tmpdir(), 'cfn-lint-')), 'Invitations.template.json');
      writeFileSync(templateFile, JSON.stringify(template.toJSON()));
    }, 60_000);

    it('reports nothing with the repository configuration', () => {
      const findings = lint(templateFile, PROJECT_ROOT);
      expect(findings.map((f) => `${f.Level} ${f.Rule.Id} ${f.Location.Path.join('/')}: ${f.Message}`)).toEqual([]);
    }, 60_000);

    it('raises no error at all, and every acknowledged warning is still raised and has a reason', () => {
      // Without the configuration: what cfn-lint says of the template on its own.
      const findings = lint(templateFile, tmpdir());
      expect(findings.filter((f) => f.Level === 'Error').map((f) => f.Message)).toEqual([]);
      const raised = [...new Set(findings.map((f) => f.Rule.Id))].sort();
      const checks = acknowledged();
      expect(checks.map((c) => c.check).sort()).toEqual(raised);
      for (const { check, reason } of checks)
        expect({ check, reasonGiven: reason.length > 20 }).toEqual({ check, reasonGiven: true });
    }, 60_000);
  });
});
