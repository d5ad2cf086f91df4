export { Ingester, DEFAULT_INGESTER_OPTIONS, type IngesterOptions } from './ingester.js';
export { EventPublisher, DEFAULT_PUBLISHER_OPTIONS, type EventPublisherOptions } from './publisher.js';
export { decodeBatch, decodeSingle, type DecodedItem } from './decode.js';
export { IngestClient, DEFAULT_INGEST_CLIENT_OPTIONS, type IngestClientOptions, type SendSummary } from './client.js';
