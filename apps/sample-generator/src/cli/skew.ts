/**
 * `npm run samples:skew -- --dataset VERSION [--max-rate 0.05]`: compares
 * the model features serving logged on each exposure of a dataset version
 * with the point-in-time join's for the same (user, item, time), and prints
 * the mismatch rate per feature; exits 1 when a feature's rate is above
 * --max-rate, so a scheduled check can alert on it.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { useViewCatalogue } from '@recstream/features';
import { formatTable } from '@recstream/platform';
import { measureFeatureSkew } from '@recstream/samples';
import { sampleGeneratorConfig } from '../env.js';

const { values } = parseArgs({ options: { dataset: { type: 'string' }, 'max-rate': { type: 'string', default: '0.05' } } });
const maxRate = Number(values['max-rate']);
if (!values.dataset || !(maxRate >= 0 && maxRate <= 1)) {
  console.error('give --dataset VERSION (see bi_dataset_manifests) and optionally --max-rate between 0 and 1, e.g. --dataset ds-2026-03-01-... --max-rate 0.05');
  process.exit(2);
}
const config = sampleGeneratorConfig();
useViewCatalogue(config.viewCatalogue);
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
try {
  const report = await measureFeatureSkew(pool, values.dataset);
  console.log(`${report.exposures} exposures of ${report.datasetVersion} carry the features serving scored them with`);
  const rows = report.features.filter((f) => f.compared > 0);
  console.log(
    formatTable(
      ['feature', 'compared', 'mismatches', 'rate', 'example (served / joined)'],
      rows.map((f) => [f.feature, f.compared, f.mismatches, f.rate.toFixed(4), f.example ? `${f.example.served} / ${f.example.joined}` : '']),
    ),
  );
  const skewed = rows.filter((f) => f.rate > maxRate);
  if (skewed.length > 0) {
    console.error(`skew above ${maxRate}: ${skewed.map((f) => f.feature).join(', ')}; serving and the offline join compute these differently`);
    process.exitCode = 1;
  }
} finally {
  await pool.end();
}
