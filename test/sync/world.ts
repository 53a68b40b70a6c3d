/**
 * Two real simulators (Salesforce Contact and HubSpot contacts) on one ManualClock, connectors built like
 * test/contract does, and what a sync test needs to act behind the engine's back and to count what is really
 * stored and how many write requests each CRM received.
 */
import type { CrmConnector } from '../../core/connectors/contract';
import { HubSpotConnector } from '../../core/connectors/hubspot/connector';
import { HubSpotCrm } from '../../core/connectors/hubspot/crm';
import { SalesforceConnector } from '../../core/connectors/salesforce/connector';
import { SalesforceCrm, type SalesforceCrmOptions } from '../../core/connectors/salesforce/crm';
import { salesforceDialect } from '../../core/connectors/salesforce/dialect';
import { BearerAuth } from '../../core/http/auth';
import { HttpClient } from '../../core/http/client';
import type { SyncConfig } from '../../core/sync/config';
import { HubSpotSimulator, type HubSpotContract } from '../../sandbox';
import { ManualClock } from '../../sandbox/kit/clock';
import { SalesforceSimulator, type SalesforceSimContract } from '../../sandbox/salesforce';

/** Past both CRMs' change-feed lags (Salesforce 60 s, HubSpot 30 s + its search index). */
export const PAST_LAG_MS = 10 * 60_000;

const SF_WRITES =
	/^(sobject\.(create|update|upsert|delete|deleteByExternalId)|collections\.(create|update|delete|upsert)|bulk\.ingest|composite)/;
const HS_WRITES = /^(create|update|archive|delete|batch\.(create|update|upsert|archive))$/;

export type Values = Record<string, string | null>;

export class World {
	readonly clock = new ManualClock(Date.UTC(2024, 6, 1, 8, 0, 0));
	readonly sf = new SalesforceSimulator({ clock: this.clock, seed: 21 });
	readonly hs = new HubSpotSimulator({
		clock: this.clock,
		rateLimits: false,
		seed: 22,
		searchIndexDelayMs: 2000,
		strictTimestamps: false,
	});
	protected sfContract?: SalesforceSimContract;
	protected hsContract?: HubSpotContract;
	/** Calls to connector.write per side (inputs counted), besides the simulators' own logs. */
	readonly writeCalls = { a: 0, b: 0 };

	async start(): Promise<void> {
		this.sfContract = await this.sf.start();
		this.hsContract = await this.hs.start();
	}

	async stop(): Promise<void> {
		await this.sf.stop();
		await this.hs.stop();
	}

	/** Where the simulators listen and the tokens that work (for connectors built in a child process). */
	contracts(): { sf: SalesforceSimContract; hs: HubSpotContract } {
		return { sf: this.sfContract as SalesforceSimContract, hs: this.hsContract as HubSpotContract };
	}

	reset(): void {
		this.sf.reset();
		this.hs.reset();
	}

	salesforce(options: SalesforceCrmOptions = {}): CrmConnector {
		const c = this.sfContract as SalesforceSimContract;
		const http = new HttpClient({
			auth: new BearerAuth({ token: c.accessToken }),
			dialect: salesforceDialect,
			rateLimit: false,
			retry: { sleep: async () => undefined },
		});
		return this.counting(
			new SalesforceCrm(new SalesforceConnector({ instanceUrl: c.instanceUrl, http }), {
				changesPageSize: 50,
				...options,
			}),
			'a',
		);
	}

	hubspot(): CrmConnector {
		const c = this.hsContract as HubSpotContract;
		return this.counting(
			new HubSpotCrm(
				new HubSpotConnector({ baseUrl: c.baseUrl, accessToken: c.accessToken, rateLimit: false }),
			),
			'b',
		);
	}

	private counting(crm: CrmConnector, side: 'a' | 'b'): CrmConnector {
		const write = crm.write.bind(crm);
		crm.write = async (op, type, inputs, options) => {
			this.writeCalls[side] += inputs.length;
			return write(op, type, inputs, options);
		};
		return crm;
	}

	/** Write requests each simulator answered (its request log). */
	writeRequests(): { sf: number; hs: number } {
		return {
			sf: this.sf.log.entries().filter((e) => SF_WRITES.test(e.kind ?? '')).length,
			hs: this.hs.log.entries().filter((e) => HS_WRITES.test(e.kind ?? '')).length,
		};
	}

	advance(ms = PAST_LAG_MS): void {
		this.clock.advance(ms);
	}

	// Salesforce side (a).
	sfInsert(fields: Values): string {
		return this.sf.table('Contact').insert(fields).id;
	}
	sfEdit(id: string, fields: Values): void {
		this.sf.table('Contact').patch(id, fields);
	}
	sfDelete(id: string): void {
		this.sf.table('Contact').remove(id);
	}
	/** Live Salesforce contacts: id and fields. */
	sfAll(): Array<{ id: string; fields: Record<string, unknown> }> {
		return this.sf
			.table('Contact')
			.collection.list()
			.map((r) => ({ id: r.id, fields: r.fields as Record<string, unknown> }));
	}

	// HubSpot side (b).
	hsInsert(fields: Values): string {
		const id = this.hs.insertDirect('contacts', fields);
		return id;
	}
	hsEdit(id: string, fields: Values): void {
		this.hs.updateDirect('contacts', id, fields);
	}
	hsDelete(id: string): void {
		if (!this.hs.archiveDirect('contacts', id)) throw new Error(`no contact ${id}`);
	}
	hsAll(): Array<{ id: string; fields: Record<string, unknown> }> {
		return this.hs
			.collection('contacts')
			.list()
			.map((r) => ({ id: r.id, fields: r.fields as Record<string, unknown> }));
	}

	/** The sync config of the scenarios: Salesforce Contact ↔ HubSpot contacts by e-mail. */
	config(over: Partial<SyncConfig> = {}): SyncConfig {
		return {
			syncId: 'contacts',
			a: { connector: this.salesforce(), objectType: 'Contact' },
			b: { connector: this.hubspot(), objectType: 'contacts' },
			matchKeys: [{ a: 'Email', b: 'email', normalize: 'email' }],
			fields: [
				{ a: 'Email', b: 'email' },
				{ a: 'LastName', b: 'lastname' },
				{ a: 'FirstName', b: 'firstname', conflict: 'review' },
				{ a: 'Title', b: 'jobtitle', conflict: 'bWins' },
				{ a: 'Phone', b: 'phone', conflict: 'mostRecent' },
			],
			conflict: 'aWins',
			deletes: 'propagate',
			...over,
		};
	}
}

/** The mapped values of a record, by HubSpot's field names (a common shape to compare both sides in). */
export function common(side: 'a' | 'b', fields: Record<string, unknown>): Values {
	const v = (x: unknown) => (x === undefined || x === null || x === '' ? null : String(x));
	return side === 'a'
		? {
				email: v(fields.Email),
				lastname: v(fields.LastName),
				firstname: v(fields.FirstName),
				jobtitle: v(fields.Title),
				phone: v(fields.Phone),
			}
		: {
				email: v(fields.email),
				lastname: v(fields.lastname),
				firstname: v(fields.firstname),
				jobtitle: v(fields.jobtitle),
				phone: v(fields.phone),
			};
}

/** Exactly one record per e-mail on each side of `world`, with the model's values (keyed by e-mail). */
export function expectOnceEach(world: World, model: Map<string, Values>): void {
	for (const side of ['a', 'b'] as const) {
		const byEmail = new Map<string, Values[]>();
		for (const r of side === 'a' ? world.sfAll() : world.hsAll()) {
			const v = common(side, r.fields);
			byEmail.set(String(v.email), [...(byEmail.get(String(v.email)) ?? []), v]);
		}
		expect({ side, emails: [...byEmail.keys()].sort() }).toEqual({
			side,
			emails: [...model.keys()].sort(),
		});
		for (const [email, v] of model)
			expect({ side, got: byEmail.get(email) }).toEqual({ side, got: [v] });
	}
}

/** The same values with Salesforce's field names. */
export function toSf(v: Values): Values {
	return {
		Email: v.email,
		LastName: v.lastname,
		FirstName: v.firstname,
		Title: v.jobtitle,
		Phone: v.phone,
	};
}
