/** Streaming pagination: `paginate()` plus ready-made strategies and iteration helpers. */
export * from './errors';
export * from './iterate';
export * from './link-header';
export * from './paginate';
export * from './strategies';
