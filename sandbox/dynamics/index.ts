/** The Dataverse / Dynamics 365 Web API simulator. */
export {
	DynamicsSimulator,
	type DynamicsSimContract,
	type DynamicsSimulatorOptions,
} from './simulator';
export { MAX_PAGE_SIZE } from './query';
export { API_PATH } from './wire';
export {
	DEFAULT_SERVICE_PROTECTION,
	markInternalRequest,
	isInternalRequest,
	type ServiceProtectionLimits,
} from './limits';
