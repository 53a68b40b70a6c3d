/**
 * The sync engine with Dynamics 365 as side b: Salesforce Contact (a) ↔ Dataverse contacts (b), matched by e-mail
 * (Email ↔ emailaddress1), the real simulators on one ManualClock (dvScenarios.ts has the scenarios).
 */
import { dynamicsScenarios } from './dvScenarios';

/** Records per scenario (raise it for a benchmark: SYNC_RECORDS=5000). */
const N = Number(process.env.SYNC_RECORDS ?? 200);

describe(`two-way sync Salesforce Contact (a) ↔ Dynamics contacts (b), ${N} records`, () => {
	dynamicsScenarios('sf', 'dv', N);
});
