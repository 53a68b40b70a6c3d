/**
 * The two sides of the CRM Sync at run time: a contract connector (`CrmConnector`) per side, built from the
 * system's credential through the shared transports, and the number of API requests each side has sent (the
 * `HttpClient`s' counters: every attempt, retries included). A system's connector and transport modules are loaded
 * when a side needs them, not with the node (n8n loads the node file at startup; a run loads only its systems').
 */
import type { IExecuteFunctions, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { CrmConnector } from '../../../core/connectors/contract';
import { fieldOptions, type FieldPurpose } from './fieldOptions';
import { AUTH_PARAMETER, SYSTEMS, type SideName, type System } from './sides.description';

type Context = IExecuteFunctions | ILoadOptionsFunctions;

export interface SideConnection {
	system: System;
	crm: CrmConnector;
	/** API requests sent so far through this side's clients. */
	requests(): number;
}

/** A parameter in an execution (item 0) or while loading options. */
export function parameter(ctx: Context, name: string, fallback: unknown): unknown {
	return 'getInputData' in ctx
		? (ctx as IExecuteFunctions).getNodeParameter(name, 0, fallback)
		: (ctx as ILoadOptionsFunctions).getNodeParameter(name, fallback);
}

export function systemOf(ctx: Context, side: SideName): System {
	const system = parameter(ctx, `system${side}`, side === 'A' ? 'salesforce' : 'hubspot');
	if (!SYSTEMS.includes(system as System))
		throw new NodeOperationError(
			ctx.getNode(),
			`Side ${side} System: "${String(system)}" is not supported — choose Salesforce, HubSpot, Dynamics 365 or REST API`,
		);
	return system as System;
}

/** The connector of one side, with its request counter. */
export async function connectSide(ctx: Context, side: SideName): Promise<SideConnection> {
	const system = systemOf(ctx, side);
	const auth = parameter(ctx, AUTH_PARAMETER[system], undefined) as string | undefined;
	if (system === 'salesforce') {
		const [{ getConnector }, { SalesforceCrm }] = await Promise.all([
			import('../salesforce/transport'),
			import('../../../core/connectors/salesforce/crm'),
		]);
		const connector = await getConnector(ctx, auth || 'oAuth2');
		return {
			system,
			crm: new SalesforceCrm(connector),
			requests: () => connector.http.requestsSent,
		};
	}
	if (system === 'rest') {
		const { restSide } = await import('./restSide');
		const crm = await restSide(ctx, auth || 'apiKey', parameter(ctx, 'restProfile', ''));
		return { system, crm, requests: () => crm.http.requestsSent };
	}
	if (system === 'dynamics') {
		const { getDynamicsConnector } = await import('../dynamics/connection');
		// The connection reads option sets while loading options (the field pickers show picklist values) and not in
		// a run (the engine reads and writes the option values themselves): one request per option-set type saved.
		const crm = await getDynamicsConnector(ctx, auth || 'clientCredentials');
		return { system, crm, requests: () => crm.client.http.requestsSent };
	}
	const [{ getConnector }, { HubSpotCrm }] = await Promise.all([
		import('../hubspot/transport'),
		import('../../../core/connectors/hubspot/crm'),
	]);
	const connector = await getConnector(ctx, auth || 'privateApp');
	return { system, crm: new HubSpotCrm(connector), requests: () => connector.requestsSent };
}

/** The object type picked for a side. */
function objectOf(ctx: ILoadOptionsFunctions, side: SideName): string {
	const value = ctx.getCurrentNodeParameter(`object${side}`);
	if (typeof value !== 'string' || value === '')
		throw new NodeOperationError(
			ctx.getNode(),
			`Choose the Side ${side} Object first: its fields are listed from it`,
		);
	return value;
}

async function objectTypes(
	ctx: ILoadOptionsFunctions,
	side: SideName,
): Promise<INodePropertyOptions[]> {
	const { crm } = await connectSide(ctx, side);
	const types = await crm.listObjectTypes();
	return types
		.map((t) => ({
			name: t.custom ? `${t.label} (custom)` : t.label,
			value: t.name,
			description: t.name,
		}))
		.sort((x, y) => x.name.localeCompare(y.name));
}

async function fields(
	ctx: ILoadOptionsFunctions,
	side: SideName,
	purpose: FieldPurpose,
): Promise<INodePropertyOptions[]> {
	const { crm } = await connectSide(ctx, side);
	const schema = await crm.describe(objectOf(ctx, side));
	return fieldOptions(schema.fields, purpose);
}

export const loadOptions = {
	async getObjectTypesA(this: ILoadOptionsFunctions) {
		return await objectTypes(this, 'A');
	},
	async getObjectTypesB(this: ILoadOptionsFunctions) {
		return await objectTypes(this, 'B');
	},
	async getFieldsA(this: ILoadOptionsFunctions) {
		return await fields(this, 'A', 'mapping');
	},
	async getFieldsB(this: ILoadOptionsFunctions) {
		return await fields(this, 'B', 'mapping');
	},
	async getMatchFieldsA(this: ILoadOptionsFunctions) {
		return await fields(this, 'A', 'matchKey');
	},
	async getMatchFieldsB(this: ILoadOptionsFunctions) {
		return await fields(this, 'B', 'matchKey');
	},
};
