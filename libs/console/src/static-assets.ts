import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpService } from '@recstream/platform';

const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));
// Chart.js' package exports name no UMD file; its entry point sits beside it in dist/.
const CHART_JS_DIR = dirname(createRequire(import.meta.url).resolve('chart.js'));

const ASSETS = [
  { path: '/', file: join(PUBLIC_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
  { path: '/assets/console.js', file: join(PUBLIC_DIR, 'console.js'), type: 'text/javascript; charset=utf-8' },
  { path: '/assets/console.css', file: join(PUBLIC_DIR, 'console.css'), type: 'text/css; charset=utf-8' },
  { path: '/assets/chart.umd.min.js', file: join(CHART_JS_DIR, 'chart.umd.min.js'), type: 'text/javascript; charset=utf-8' },
];

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  // Everything the page loads comes from the console itself; no inline scripts.
  'content-security-policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
};

/** Serves the page and its scripts, read once at start. They hold no data, so they need no key; the JSON routes do. */
export function registerStaticAssets(http: HttpService): void {
  for (const asset of ASSETS) {
    const body = readFileSync(asset.file, 'utf8');
    http.route('GET', asset.path, async () => ({ status: 200, body, headers: { ...SECURITY_HEADERS, 'content-type': asset.type, 'cache-control': 'no-cache' } }));
  }
}
