/** Starts the Dataverse simulator and builds the connector's client over it (rate budget off unless asked). */
import { dataverseClientCredentials } from '../../../core/connectors/dynamics/auth';
import {
	DataverseClient,
	type DataverseClientOptions,
} from '../../../core/connectors/dynamics/client';
import { DynamicsCrm, type DynamicsCrmOptions } from '../../../core/connectors/dynamics/crm';
import {
	DynamicsSimulator,
	type DynamicsSimContract,
	type DynamicsSimulatorOptions,
} from '../../../sandbox/dynamics';

export interface DvWorld {
	sim: DynamicsSimulator;
	contract: DynamicsSimContract;
	/** A fresh client (its own token cache) over the simulator. */
	client(options?: Partial<DataverseClientOptions>): DataverseClient;
	/** A fresh connector over a fresh client. */
	crm(options?: DynamicsCrmOptions): DynamicsCrm;
	/** Requests the simulator answered with this kind (`records.list`, `token`, `metadata.entity` …). */
	count(kind: string): number;
}

export async function startDvWorld(options: DynamicsSimulatorOptions = {}): Promise<DvWorld> {
	const sim = new DynamicsSimulator(options);
	const contract = await sim.start();
	const client = (extra: Partial<DataverseClientOptions> = {}) =>
		new DataverseClient({
			environmentUrl: contract.serverUrl,
			auth: dataverseClientCredentials({
				environmentUrl: contract.serverUrl,
				tokenUrl: contract.tokenUrl,
				clientId: contract.clientId,
				clientSecret: contract.clientSecret,
			}),
			rateLimit: false,
			retry: { maxAttempts: 2, baseDelayMs: 1 },
			...extra,
		});
	return {
		sim,
		contract,
		client,
		crm: (crmOptions) => new DynamicsCrm(client(), crmOptions),
		count: (kind) => sim.log.count({ kind }),
	};
}
