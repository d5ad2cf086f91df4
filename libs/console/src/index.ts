export { ConsoleService, DEFAULT_CONSOLE_OPTIONS, ADMIN_SCOPE, type ConsoleOptions, type ConsoleDeps, type PipelineHealth } from './service.js';
export { MetricsTargetList, THROUGHPUT_COUNTERS, type MetricsTarget } from './metrics-scraper.js';
export { sumByMetric } from './prometheus-text.js';
export { readExperiments, CONTROL_VARIANT, type ExperimentResult, type VariantResult, type ReadExperimentsOptions } from './experiments.js';
