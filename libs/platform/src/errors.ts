/**
 * One error base for the platform. Callers decide whether to retry from the
 * `retriable` flag (or `instanceof NonRetriableError`), never from message text.
 */
export class RecstreamError extends Error {
  readonly retriable: boolean;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(
    message: string,
    options: { retriable?: boolean; cause?: unknown; context?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable ?? true;
    this.context = options.context ?? {};
  }
}

/** A failure that repeating the same call cannot fix (bad config, bad input). */
export class NonRetriableError extends RecstreamError {
  constructor(message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super(message, { ...options, retriable: false });
  }
}

/** Configuration is missing or invalid; the message says which variable and how to fix it. */
export class ConfigError extends NonRetriableError {}

export function isRetriable(error: unknown): boolean {
  return error instanceof RecstreamError ? error.retriable : true;
}
