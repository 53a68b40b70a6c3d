/** The record model, field paths and field mapping. */
export * from './types';
export * from './path';
export * from './display';
export * from './numbers';
export * from './dates';
export * from './transforms';
export * from './validation';
export * from './spec';
export {
	compileMapping,
	compileMappingTemplate,
	type MappingTemplate,
	type RuleValues,
} from './mapping';
export { MappingCache } from './mappingCache';
export * from './record';
