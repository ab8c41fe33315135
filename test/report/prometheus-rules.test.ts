/**
 * The Prometheus rules of collector-config/prometheus/ are valid (`promtool check rules`), pass
 * their unit tests (`promtool test rules`: series that fire and that do not fire each alert), and
 * are the ones the compose stack's Prometheus loads.
 *
 * Needs `/usr/bin/promtool` (Debian: `apt-get install -y --no-install-recommends prometheus`,
 * done by .ci/run). Skipped with a message when it is absent, unless CI is set: then it fails.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const PROMTOOL = '/usr/bin/promtool';
const available = existsSync(PROMTOOL);
const inCi = !!process.env.CI && process.env.CI !== 'false';
const CONFIG = fileURLToPath(new URL('../../collector-config', import.meta.url));
const RULES_DIR = join(CONFIG, 'prometheus');
const RULES = join(RULES_DIR, 'llm-cost-rules.yaml');

function promtool(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(PROMTOOL, args, { cwd: RULES_DIR, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

describe('Prometheus rules: wired into the compose stack', () => {
  it('prometheus.yaml loads the rules file from the directory docker-compose mounts', () => {
    const prometheus = parse(readFileSync(join(CONFIG, 'prometheus.yaml'), 'utf8'));
    const compose = parse(readFileSync(join(CONFIG, 'docker-compose.yaml'), 'utf8'));
    const mount = (compose.services.prometheus.volumes as string[]).find((v) => v.startsWith('./prometheus:'));
    expect(mount).toBeDefined();
    const target = (mount as string).split(':')[1];
    expect(prometheus.rule_files).toEqual([`${target}/llm-cost-rules.yaml`]);
  });

  it('alerts on the budget, a spike, the unpriced share and missing cost data', () => {
    const groups = parse(readFileSync(RULES, 'utf8')).groups as { rules: { alert?: string }[] }[];
    const alerts = groups.flatMap((g) => g.rules.map((r) => r.alert).filter(Boolean));
    expect(alerts.sort()).toEqual([
      'LLMCostDataMissing',
      'LLMSpendOverHourlyBudget',
      'LLMSpendSpike',
      'LLMUnpricedShareHigh',
    ]);
  });
});

if (!available && !inCi) {
  describe.skip(`Prometheus rules with promtool (skipped: ${PROMTOOL} not found; apt-get install prometheus)`, () => {
    it('skipped', () => undefined);
  });
} else {
  describe('Prometheus rules with promtool', () => {
    it('promtool is installed', () => {
      expect(available, `${PROMTOOL} is required when CI is set (.ci/run installs the prometheus package)`).toBe(true);
    });

    it('promtool check rules accepts them', async () => {
      const r = await promtool(['check', 'rules', RULES]);
      expect(r.output).toContain('SUCCESS');
      expect(r.code).toBe(0);
    });

    const testFiles = readdirSync(RULES_DIR).filter((f) => f.endsWith('.test.yaml'));
    it('has unit tests that fire and do not fire every alert', () => {
      const text = testFiles.map((f) => readFileSync(join(RULES_DIR, f), 'utf8')).join('\n');
      for (const alert of ['LLMCostDataMissing', 'LLMSpendOverHourlyBudget', 'LLMSpendSpike', 'LLMUnpricedShareHigh']) {
        const firing = new RegExp(`alertname: ${alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels`);
        const silent = new RegExp(`alertname: ${alert}\\n\\s+exp_alerts: \\[\\]`);
        expect(firing.test(text), `${alert} fires in a test`).toBe(true);
        expect(silent.test(text), `${alert} stays silent in a test`).toBe(true);
      }
    });

    for (const file of testFiles) {
      it(`promtool test rules ${file} passes`, async () => {
        const r = await promtool(['test', 'rules', file]);
        expect(r.output).toContain('SUCCESS');
        expect(r.code).toBe(0);
      });
    }
  });
}
