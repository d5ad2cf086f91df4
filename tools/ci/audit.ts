/**
 * CI's dependency audit: `npm audit` over production dependencies, failing on
 * high or critical advisories that have a fix (see audit-verdict.ts).
 */
import { spawnSync } from 'node:child_process';
import { auditVerdict } from './audit-verdict.js';

const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8' });
const verdict = auditVerdict(run.stdout);
switch (verdict.kind) {
  case 'pass':
    console.log(`[audit] no high or critical advisory with a fix (${verdict.advisories} advisories in all)`);
    break;
  case 'fail':
    console.error(`[audit] high or critical advisories with a fix in: ${verdict.packages.join(', ')}; run npm audit fix --omit=dev`);
    process.exit(1);
    break;
  case 'unavailable':
    console.warn(`[audit] NOT AUDITED: the registry did not answer the audit request (${verdict.reason})`);
}
