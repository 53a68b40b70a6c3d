/**
 * The key of a planned write's ticket in the Sync Plan node's output items (`{ id, ...fields, _sync }`). The write
 * nodes' auto-map leaves it out (it is no CRM field), and Sync State › Commit reads it back through the lineage.
 */
export const SYNC_TICKET_KEY = '_sync';
