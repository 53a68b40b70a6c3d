/**
 * The sync engine with Dynamics 365 as side a: Dataverse contacts (a) ↔ HubSpot contacts (b), matched by e-mail
 * (emailaddress1 ↔ email), the real simulators on one ManualClock (dvScenarios.ts has the scenarios).
 */
import { dynamicsScenarios } from './dvScenarios';

/** Records per scenario (raise it for a benchmark: SYNC_RECORDS=5000). */
const N = Number(process.env.SYNC_RECORDS ?? 200);

describe(`two-way sync Dynamics contacts (a) ↔ HubSpot contacts (b), ${N} records`, () => {
	dynamicsScenarios('dv', 'hs', N);
});
