/** The HubSpot CRM simulator. */
export {
	HubSpotSimulator,
	DEFAULT_HUBSPOT_RATE_LIMITS,
	hubspotError,
	type HubSpotContract,
	type HubSpotSimulatorOptions,
	type HubSpotRateLimits,
	type HubSpotBatchMode,
	type HubSpotReadResultOrder,
	type HubSpotOwner,
	type HubSpotForm,
	type FormField,
	type FormSubmission,
	type Pipeline,
	type PipelineStage,
} from './simulator';
export { DEFAULT_SEARCH_LIMITS, OPERATORS, type SearchLimits } from './search';
export { AssociationStore, type AssociationType, type AssociationCategory } from './associations';
export {
	PROPERTY_TYPES,
	FIELD_TYPES,
	checkValue,
	type PropertyDef,
	type PropertySpec,
	type PropertyType,
	type ObjectTypeDef,
} from './schema';
