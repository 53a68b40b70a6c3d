/** Dropdown lists loaded from the environment's metadata: shared with the Dynamics 365 Trigger. */
export { getColumns, getTables } from '../../../shared/dynamics/loadOptions';
