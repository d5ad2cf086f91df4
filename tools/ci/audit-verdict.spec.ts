import { describe, expect, it } from 'vitest';
import { auditVerdict } from './audit-verdict.js';

const report = (vulnerabilities: Record<string, { severity: string; fixAvailable: unknown }>) => JSON.stringify({ vulnerabilities });

describe('auditVerdict', () => {
  it('fails on high and critical advisories that have a fix, naming the packages', () => {
    const verdict = auditVerdict(
      report({
        zeta: { severity: 'critical', fixAvailable: true },
        alpha: { severity: 'high', fixAvailable: { name: 'alpha', version: '2.0.0', isSemVerMajor: true } },
        nofix: { severity: 'critical', fixAvailable: false },
        low: { severity: 'moderate', fixAvailable: true },
      }),
    );
    expect(verdict).toEqual({ kind: 'fail', packages: ['alpha', 'zeta'] });
  });

  it('passes when the only advisories are below high or have no fix', () => {
    expect(auditVerdict(report({ low: { severity: 'low', fixAvailable: true }, nofix: { severity: 'high', fixAvailable: false } }))).toEqual({ kind: 'pass', advisories: 2 });
    expect(auditVerdict(report({}))).toEqual({ kind: 'pass', advisories: 0 });
  });

  it('says the audit did not happen when the registry refuses it', () => {
    const refused = JSON.stringify({ message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk', error: { summary: '', detail: '' } });
    expect(auditVerdict(refused)).toEqual({ kind: 'unavailable', reason: expect.stringContaining('405') });
    expect(auditVerdict('').kind).toBe('unavailable');
  });
});
