import { compareTrials, evaluateRanking, leaveLatestOut, PopularityScorer, selectBackend, type RankingReport } from '@recstream/models';
import { readInteractions } from './data.js';
import { featureSpecFor, optionsFor, parseCli, requestedKinds, type NcfCliRequest } from './options.js';
import { trainAsGiven, tuneAndTrain, tuningFigures } from './run.js';

const started = performance.now();
const request = parseOrExit(process.argv.slice(2));
const backend = await selectBackend({
  onSelect: (name, skipped) =>
    console.error(`backend: ${name}${skipped.length ? ` (skipped ${skipped.map((s) => s.name).join(', ')})` : ''}`),
});

const interactions = await readInteractions(request.data);
const kinds = requestedKinds(request);
const seed = optionsFor(request, kinds[0]!).seed;
const split = leaveLatestOut(interactions, { seed });
console.error(`${interactions.length} ratings, ${split.cases.length} test users, ${split.train.length} training interactions`);
const popularity = evaluateRanking(new PopularityScorer(split.train), split.cases, featureSpecFor(optionsFor(request, kinds[0]!)));
const baseline = { popularity_hr_at_10: round(popularity.hitRate), popularity_ndcg_at_10: round(popularity.ndcg) };

if (!request.tune) {
  const o = optionsFor(request, kinds[0]!);
  const spec = featureSpecFor(o);
  const model = await trainAsGiven(o, split, spec);
  const report = evaluateRanking(model, split.cases, spec);
  model.dispose();
  printTable([
    [o.model, report],
    ['popularity', popularity],
  ]);
  console.log(JSON.stringify({ model: o.model, backend, ...figures(report), ...baseline, users: report.users, seconds: elapsed() }));
} else {
  // --model best shares a time budget evenly; a trial count applies to every kind.
  const budgetS = request.budgetS === undefined ? undefined : request.budgetS / kinds.length;
  const runs = [];
  for (const kind of kinds) {
    const run = await tuneAndTrain(optionsFor(request, kind), split, budgetS);
    run.model.dispose();
    runs.push({ kind, ...run });
  }
  // Chosen on validation alone; the test figures of every kind are reported beside it.
  const best = [...runs].sort((a, b) => compareTrials(a.tuning.best, b.tuning.best))[0]!;
  printTable([...runs.map((r): [string, RankingReport] => [`${r.kind} (tuned)`, r.report]), ['popularity', popularity]]);
  const result: Record<string, unknown> = { model: best.kind, backend, ...figures(best.report), ...baseline, users: best.report.users, seconds: elapsed(), ...tuningFigures(best) };
  if (request.model === 'best') {
    result.selected_by = 'validation_hr_at_10';
    result.kinds = Object.fromEntries(runs.map((r) => [r.kind, { ...figures(r.report), ...tuningFigures(r) }]));
  }
  console.log(JSON.stringify(result));
}

function figures(report: RankingReport): { hr_at_10: number; ndcg_at_10: number } {
  return { hr_at_10: round(report.hitRate), ndcg_at_10: round(report.ndcg) };
}

function printTable(rows: [string, RankingReport][]): void {
  console.log('\n| model | HR@10 | NDCG@10 | Recall@10 | coverage@10 | users |');
  console.log('|---|---|---|---|---|---|');
  for (const [name, r] of rows) {
    console.log(`| ${name} | ${r.hitRate.toFixed(4)} | ${r.ndcg.toFixed(4)} | ${r.recall.toFixed(4)} | ${r.coverage.toFixed(4)} | ${r.users} |`);
  }
}

/** Bad arguments end the run with the usage text, not a stack trace. */
function parseOrExit(argv: string[]): NcfCliRequest {
  try {
    return parseCli(argv);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
}

function elapsed(): number {
  return round((performance.now() - started) / 1000);
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
