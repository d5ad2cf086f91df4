export { SampleGenerator, DEFAULT_SAMPLE_GENERATOR_OPTIONS, type SampleGeneratorOptions, type GenerateRequest, type GenerateResult, type GenerateProgress } from './generator.js';
export { GeneratorConfig, DEFAULT_GENERATOR_CONFIG, generatorConfig } from './options.js';
export { readSamples, DEFAULT_READ_SAMPLES_OPTIONS, type ReadSamplesOptions, type Sample, type SampleFeatures, type Split, type Holdout } from './reader.js';
export { readManifest, type DatasetManifest, type DatasetStatus } from './manifest.js';
export { datasetVersionFor, scheduledRange, rangeKey, checkRange, type TimeRange, type ScheduleWindow } from './range.js';
export { SAMPLE_VIEWS } from './build/features.js';
export { refreshBiViews, BI_MATERIALIZED_VIEWS } from './bi.js';
