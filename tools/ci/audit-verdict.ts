/** What `npm audit --json` reported, reduced to what CI acts on. */
export type AuditVerdict =
  | { kind: 'pass'; advisories: number }
  | { kind: 'fail'; packages: string[] }
  | { kind: 'unavailable'; reason: string };

interface AuditJson {
  error?: { code?: string; summary?: string; detail?: string };
  message?: string;
  vulnerabilities?: Record<string, { severity: string; fixAvailable: unknown }>;
}

const BLOCKING = new Set(['high', 'critical']);

/**
 * CI fails on high or critical advisories that have a fix; others are
 * reported but do not block. A registry that does not serve the advisory
 * endpoint (this project's build machines allow only GET) yields no verdict
 * about the dependencies, and says so.
 */
export function auditVerdict(output: string): AuditVerdict {
  let parsed: AuditJson;
  try {
    parsed = JSON.parse(output) as AuditJson;
  } catch {
    return { kind: 'unavailable', reason: `npm audit printed no JSON: ${output.slice(0, 200)}` };
  }
  if (!parsed.vulnerabilities) {
    return { kind: 'unavailable', reason: parsed.error?.summary || parsed.message || 'npm audit returned no vulnerability report' };
  }
  const vulnerabilities = Object.entries(parsed.vulnerabilities);
  const blocking = vulnerabilities.filter(([, v]) => BLOCKING.has(v.severity) && v.fixAvailable !== false).map(([name]) => name);
  return blocking.length > 0 ? { kind: 'fail', packages: blocking.sort() } : { kind: 'pass', advisories: vulnerabilities.length };
}
