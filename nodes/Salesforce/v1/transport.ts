/** Salesforce v1 reaches Salesforce through the connection it shares with the Salesforce Trigger. */
export * from '../../shared/salesforce/transport';
