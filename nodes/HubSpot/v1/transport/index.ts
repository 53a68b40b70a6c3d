/** HubSpot v1 reaches HubSpot through the connection it shares with the HubSpot Trigger. */
export * from '../../../shared/hubspot/transport';
