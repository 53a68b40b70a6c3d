/** The record model, field paths and field mapping. */
export * from './types';
export * from './path';
export * from './display';
export * from './numbers';
export * from './dates';
export * from './transforms';
export * from './validation';
export * from './spec';
export { compileMapping } from './mapping';
export * from './record';
