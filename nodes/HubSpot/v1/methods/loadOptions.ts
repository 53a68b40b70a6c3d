/** Dropdown lists loaded from the HubSpot account (shared with the HubSpot Trigger). */
export * from '../../../shared/hubspot/loadOptions';
