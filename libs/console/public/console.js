// The console page: asks for an admin API key, then reads the console's JSON
// routes with it. Chart.js comes from /assets/chart.umd.min.js as a global.
const { Chart } = globalThis;
const KEY_STORAGE = 'recstream-console-key';
const PIPELINE_POLL_MS = 5_000;
const COLORS = ['#1a73e8', '#e8710a', '#188038', '#a142f4', '#d93025', '#12b5cb', '#f9ab00'];
/** Model metrics whose values stay within ±this go on the quality axis; the others on the magnitude axis. */
const MODEL_QUALITY_MAX = 10;
const SOURCE_COLORS = { ann: '#1a73e8', covisit: '#188038', popular: '#e8710a', trending: '#a142f4', exploration: '#d93025' };

Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;

const $ = (selector) => document.querySelector(selector);
const charts = new Map();
let pipelineTimer;

/** An element with attributes and children (strings become text, never HTML). */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

const cell = (value, className) => el('td', className ? { class: className } : {}, String(value));
const fixed = (value, digits = 4) => (value === null || value === undefined ? '–' : Number(value).toFixed(digits));
const signed = (value) => (value === null || value === undefined ? '–' : `${value >= 0 ? '+' : ''}${fixed(value)}`);
const time = (iso) => new Date(iso).toLocaleString();

function fillTable(selector, rows) {
  $(`${selector} tbody`).replaceChildren(...rows);
}

/** Draws a chart on the canvas, or updates the one already there in place. */
function draw(canvasId, config) {
  const existing = charts.get(canvasId);
  if (existing && existing.config.type === config.type) {
    existing.data = config.data;
    existing.update();
    return;
  }
  existing?.destroy();
  charts.set(canvasId, new Chart(document.getElementById(canvasId), config));
}

class AuthError extends Error {}

async function api(path, init = {}) {
  const response = await fetch(path, { ...init, headers: { ...init.headers, authorization: `Bearer ${sessionStorage.getItem(KEY_STORAGE)}` } });
  const body = await response.json().catch(() => ({}));
  if (response.status === 401 || response.status === 403) throw new AuthError(body.error ?? `HTTP ${response.status}`);
  if (!response.ok) throw Object.assign(new Error(body.error ?? `HTTP ${response.status}`), { body });
  return body;
}

function signOut(message = '') {
  clearInterval(pipelineTimer);
  sessionStorage.removeItem(KEY_STORAGE);
  $('#console').hidden = true;
  $('#sign-out').hidden = true;
  $('#sign-in').hidden = false;
  $('#sign-in-error').textContent = message;
}

async function signIn(key) {
  sessionStorage.setItem(KEY_STORAGE, key);
  try {
    await Promise.all([loadModels(), loadExperiments(), loadTraffic(), loadPipeline()]);
  } catch (error) {
    signOut(error instanceof AuthError ? `Signing in failed: ${error.message}` : `The console could not load: ${error.message}`);
    return;
  }
  $('#sign-in').hidden = true;
  $('#sign-out').hidden = false;
  $('#console').hidden = false;
  pipelineTimer = setInterval(() => loadPipeline().catch(handleBackgroundError), PIPELINE_POLL_MS);
}

function handleBackgroundError(error) {
  if (error instanceof AuthError) signOut(`Signed out: ${error.message}`);
  else $('#pipeline-updated').textContent = `update failed: ${error.message}`;
}

async function loadPipeline() {
  const health = await api('/api/pipeline');
  $('#pipeline-updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
  fillTable(
    '#targets-table',
    health.targets.map((target) => {
      const rates = Object.entries(target.rates).map(([counter, rate]) => `${rate.toFixed(1)}/s ${health.throughputCounters[counter]}`);
      const warnings = Object.entries(target.warnings).map(([counter, value]) => el('div', { class: 'note warning' }, `${value.toLocaleString()} ${health.warningCounters[counter]}`));
      return el(
        'tr',
        { 'data-target': target.name },
        cell(target.name),
        el('td', { class: target.up ? 'up' : 'down' }, target.up ? 'up' : `down: ${target.error}`),
        el('td', {}, rates.join('; ') || (target.up ? 'measuring…' : '–'), ...warnings),
      );
    }),
  );
  const times = [...new Set(health.targets.flatMap((t) => t.history.map((h) => h.time)))].sort((a, b) => a - b);
  draw('throughput-chart', {
    type: 'line',
    data: {
      labels: times.map((t) => new Date(t).toLocaleTimeString()),
      datasets: health.targets.map((target, i) => {
        const byTime = new Map(target.history.map((h) => [h.time, h.perSecond]));
        return { label: `${target.name} per second`, data: times.map((t) => byTime.get(t) ?? null), borderColor: COLORS[i % COLORS.length], spanGaps: true };
      }),
    },
    options: { scales: { y: { beginAtZero: true } } },
  });
  fillTable(
    '#lag-table',
    health.consumerGroups.map((group) =>
      el('tr', { 'data-group': group.group }, cell(group.group), group.error ? el('td', { class: 'down' }, group.error) : cell(group.lag, 'number'), cell(group.partitions.length, 'number')),
    ),
  );
  const queueRows = health.queues.error
    ? [el('tr', {}, el('td', { class: 'down', colspan: '6' }, health.queues.error))]
    : health.queues.depths.map(({ queue, counts }) =>
        el('tr', { 'data-queue': queue }, cell(queue), ...[counts.waiting + counts.prioritized, counts.delayed, counts.active, counts.failed, counts.completed].map((n) => cell(n, 'number'))),
      );
  fillTable('#queues-table', queueRows);
}

async function loadTraffic() {
  const days = await api('/api/traffic');
  draw('traffic-chart', {
    type: 'line',
    data: {
      labels: days.map((d) => d.day),
      datasets: [
        { label: 'active users', data: days.map((d) => d.activeUsers), borderColor: COLORS[0], yAxisID: 'users' },
        { label: 'interacting users', data: days.map((d) => d.interactingUsers), borderColor: COLORS[2], yAxisID: 'users' },
        { label: 'CTR', data: days.map((d) => d.ctr), borderColor: COLORS[1], yAxisID: 'ctr', spanGaps: true },
      ],
    },
    options: {
      scales: {
        users: { position: 'left', beginAtZero: true, title: { display: true, text: 'users' } },
        ctr: { position: 'right', beginAtZero: true, title: { display: true, text: 'CTR' }, grid: { drawOnChartArea: false } },
      },
    },
  });
  const newestFirst = [...days].reverse();
  fillTable(
    '#traffic-table',
    newestFirst.length === 0
      ? [el('tr', {}, el('td', { colspan: '7', class: 'note' }, 'No days yet: the BI views fill when the sample generator refreshes them.'))]
      : newestFirst.map((d) =>
          el(
            'tr',
            { 'data-day': d.day },
            cell(d.day),
            ...[d.activeUsers, d.interactingUsers, d.exposures, d.clicks].map((n) => cell(n, 'number')),
            cell(fixed(d.ctr), 'number'),
            cell(d.exposureCoverage === null ? '–' : `${(d.exposureCoverage * 100).toFixed(1)}%`, 'number'),
          ),
        ),
  );
}

async function loadModels() {
  const byRole = await api('/api/models');
  for (const [role, versions] of Object.entries(byRole)) {
    const metrics = [...new Set(versions.flatMap((v) => Object.keys(v.metrics)))].sort();
    // Quality metrics (AUC, HR, NDCG, log loss: about 0 to 1) and magnitudes (samples/s, epochs) get axes of their own,
    // else samples/s in the hundred thousands flattens every quality line.
    const axisOf = (metric) => (versions.some((v) => Math.abs(v.metrics[metric] ?? 0) > MODEL_QUALITY_MAX) ? 'magnitude' : 'quality');
    const axes = new Set(metrics.map(axisOf));
    draw(`${role}-chart`, {
      type: 'line',
      data: {
        labels: versions.map((v) => `v${v.versionId} ${v.modelType}`),
        datasets: metrics.map((metric, i) => ({
          label: metric,
          data: versions.map((v) => v.metrics[metric] ?? null),
          borderColor: COLORS[i % COLORS.length],
          borderDash: axisOf(metric) === 'magnitude' ? [6, 4] : undefined,
          spanGaps: true,
          yAxisID: axisOf(metric),
        })),
      },
      options: {
        plugins: { title: { display: true, text: `${role} models: offline metrics per version, oldest first` } },
        scales: {
          quality: { display: axes.has('quality'), position: 'left', title: { display: true, text: 'quality (AUC, HR, NDCG, log loss)' } },
          magnitude: { display: axes.has('magnitude'), position: 'right', beginAtZero: true, title: { display: true, text: 'samples/s, epochs (dashed)' }, grid: { drawOnChartArea: false } },
        },
      },
    });
  }
  const newestFirst = Object.values(byRole).flat().sort((a, b) => b.versionId - a.versionId);
  fillTable(
    '#models-table',
    newestFirst.map((v) =>
      el(
        'tr',
        { 'data-version': v.versionId },
        el('td', {}, `v${v.versionId}`, v.inProduction ? el('span', { class: 'badge' }, 'production') : null),
        cell(v.role),
        cell(v.modelType),
        cell(v.datasetVersion ?? '–'),
        cell(time(v.createdAt)),
        cell(Object.entries(v.metrics).map(([name, value]) => `${name} ${fixed(value)}`).join(', ') || '–'),
      ),
    ),
  );
}

function sampleRatioLine(check) {
  if (!check) return 'Sample ratio: no exposures yet.';
  const verdict = check.mismatch ? 'MISMATCH: users per variant are off their shares; fix bucketing or logging before trusting the comparison' : 'users per variant match the shares';
  return `Sample ratio: chi-square ${fixed(check.chiSquare, 2)} (${check.degreesOfFreedom} df), p ${fixed(check.pValue, 4)}; ${verdict}.`;
}

/** A warning when serving lost exposures of this experiment before they reached Kafka; null when none were lost. */
function droppedLine(variants) {
  const lossy = variants.filter((v) => v.exposuresDropped > 0);
  if (lossy.length === 0) return null;
  const counts = lossy.map((v) => `${v.exposuresDropped} of ${v.variant}`).join(', ');
  return el('p', { class: 'note warning exposures-dropped' }, `Exposures dropped: serving could not deliver ${counts} to Kafka; the exposures and CTR above leave them out, so a variant with many drops reads off.`);
}

async function loadExperiments() {
  const experiments = await api('/api/experiments');
  const list = $('#experiment-list');
  for (const chart of [...charts.keys()].filter((id) => id.startsWith('experiment-'))) {
    charts.get(chart).destroy();
    charts.delete(chart);
  }
  list.replaceChildren();
  if (experiments.length === 0) list.append(el('p', { class: 'note' }, 'No experiments yet: add rows to experiments and experiment_variants.'));
  experiments.forEach((experiment, index) => {
    const canvasId = `experiment-${index}-chart`;
    const rows = experiment.variants.map((v) => {
      const versus = v.versusControl;
      const verdict = versus ? `${signed(versus.rate)} (${signed(versus.low)} to ${signed(versus.high)})${versus.low > 0 || versus.high < 0 ? ' significant' : ''}` : v.variant === experiment.control ? 'control' : '–';
      return el(
        'tr',
        { 'data-variant': v.variant },
        cell(v.variant),
        cell(fixed(v.share, 2), 'number'),
        cell(v.users, 'number'),
        cell(v.exposures, 'number'),
        cell(v.exposuresDropped, v.exposuresDropped > 0 ? 'number warning' : 'number'),
        cell(v.clicks, 'number'),
        cell(fixed(v.ctr?.rate), 'number'),
        cell(v.ctr ? `${fixed(v.ctr.low)} to ${fixed(v.ctr.high)}` : '–'),
        cell(verdict),
      );
    });
    const header = ['variant', 'share', 'users', 'exposures', 'exposures dropped', 'clicks', 'CTR', '95% interval', 'vs control'].map((name) => el('th', {}, name));
    list.append(
      el(
        'div',
        { class: 'experiment', 'data-experiment': experiment.id },
        el('h3', {}, `${experiment.id}${experiment.active ? '' : ' (ended)'}`, el('small', {}, ` ${experiment.description} · surface ${experiment.surface ?? 'all'}`)),
        el('p', { class: `note sample-ratio${experiment.sampleRatio?.mismatch ? ' warning' : ''}` }, sampleRatioLine(experiment.sampleRatio)),
        droppedLine(experiment.variants),
        el('div', { class: 'columns' }, el('table', {}, el('thead', {}, el('tr', {}, ...header)), el('tbody', {}, ...rows)), el('div', { class: 'chart' }, el('canvas', { id: canvasId }))),
      ),
    );
    const measured = experiment.variants.filter((v) => v.ctr);
    draw(canvasId, {
      type: 'bar',
      data: {
        labels: measured.map((v) => v.variant),
        datasets: [
          { type: 'line', label: 'CTR', data: measured.map((v) => v.ctr.rate), showLine: false, pointRadius: 6, borderColor: '#1d2430', backgroundColor: '#1d2430' },
          { label: '95% interval', data: measured.map((v) => [v.ctr.low, v.ctr.high]), backgroundColor: '#1a73e855', barPercentage: 0.3 },
        ],
      },
      options: { scales: { y: { beginAtZero: true, title: { display: true, text: 'CTR' } } } },
    });
  });
}

async function recommend(event) {
  event.preventDefault();
  $('#recommend-error').textContent = '';
  const body = { user_id: $('#recommend-user').value.trim(), k: Number($('#recommend-k').value), context: { surface: $('#recommend-surface').value.trim() || 'console' } };
  let result;
  try {
    result = await api('/api/recommend', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  } catch (error) {
    if (error instanceof AuthError) return signOut(`Signed out: ${error.message}`);
    const fields = error.body?.errors?.map((e) => `${e.field} ${e.message}`).join('; ');
    $('#recommend-error').textContent = fields ? `Serving refused the request: ${fields}` : error.message;
    return;
  }
  const experiment = result.experiment ? `experiment ${result.experiment.id}, variant ${result.experiment.variant}` : 'no experiment';
  const degraded = result.degraded ? `; degraded: ${result.degraded_reasons.join(', ')}` : '';
  const truncated = result.truncated_reason ? ` (fewer than ${body.k}: ${result.truncated_reason})` : '';
  $('#recommend-summary').textContent =
    `${result.items.length} items${truncated} for ${result.user_id} · recall v${result.model_versions.recall ?? '–'}, ranking v${result.model_versions.ranking ?? '–'} · ${experiment}` +
    ` · ${fixed(result.timings_ms.total, 1)} ms${degraded}`;
  fillTable(
    '#recommend-table',
    result.items.map((item) =>
      el('tr', { 'data-item': item.item_id }, cell(item.position + 1, 'number'), cell(item.item_id), cell(fixed(item.score), 'number'), cell(item.source), cell(item.sources.join(', '))),
    ),
  );
  draw('recommend-chart', {
    type: 'bar',
    data: {
      labels: result.items.map((item) => item.item_id),
      datasets: [{ label: 'score (colour: recall source)', data: result.items.map((item) => item.score), backgroundColor: result.items.map((item) => SOURCE_COLORS[item.source] ?? '#888') }],
    },
    options: { indexAxis: 'y' },
  });
}

$('#sign-in').addEventListener('submit', (event) => {
  event.preventDefault();
  void signIn($('#api-key').value.trim());
});
$('#sign-out').addEventListener('click', () => signOut());
$('#recommend-form').addEventListener('submit', (event) => void recommend(event));
if (sessionStorage.getItem(KEY_STORAGE)) void signIn(sessionStorage.getItem(KEY_STORAGE));
