/**
 * The sync world (world.ts: Salesforce and HubSpot simulators on one ManualClock) plus the Dataverse (Dynamics 365)
 * simulator on the same clock, its connector built like test/connectors/dynamics does, and what a sync test needs
 * to act on Dataverse behind the engine's back (createDirect/updateDirect/deleteDirect, stamped and change-tracked
 * as another user's API calls would be) and to count its write requests (`batch` log entries: DynamicsCrm writes
 * only through `$batch`).
 */
import type { CrmConnector } from '../../core/connectors/contract';
import { DynamicsCrm, type DynamicsCrmOptions } from '../../core/connectors/dynamics/crm';
import type { SyncConfig } from '../../core/sync/config';
import { startDvWorld, type DvWorld } from '../connectors/dynamics/helpers';
import { common, World, type Values } from './world';

export type Crm = 'sf' | 'hs' | 'dv';

/** The mapped contact fields per CRM, in the order of the common shape (email, lastname, firstname, jobtitle, phone). */
export const FIELDS: Record<Crm, string[]> = {
	sf: ['Email', 'LastName', 'FirstName', 'Title', 'Phone'],
	hs: ['email', 'lastname', 'firstname', 'jobtitle', 'phone'],
	dv: ['emailaddress1', 'lastname', 'firstname', 'jobtitle', 'telephone1'],
};
const COMMON = FIELDS.hs;
const OBJECT: Record<Crm, string> = { sf: 'Contact', hs: 'contacts', dv: 'contacts' };

/** Common-shape values (HubSpot's names) with one CRM's field names. */
export function toCrm(crm: Crm, v: Values): Values {
	return Object.fromEntries(FIELDS[crm].map((f, i) => [f, v[COMMON[i]] ?? null]));
}

/** One CRM's stored fields in the common shape. */
export function fromCrm(crm: Crm, fields: Record<string, unknown>): Values {
	if (crm === 'sf') return common('a', fields);
	return common(
		'b',
		Object.fromEntries(FIELDS[crm].map((f, i) => [COMMON[i], fields[f]])) as Record<
			string,
			unknown
		>,
	);
}

export class DvSyncWorld extends World {
	private dvw?: DvWorld;

	async start(): Promise<void> {
		await super.start();
		// Service protection off: pacing is the connector's own concern (tested in test/connectors/dynamics).
		this.dvw = await startDvWorld({ clock: this.clock, seed: 23, serviceProtection: false });
	}

	async stop(): Promise<void> {
		await super.stop();
		await this.dvw?.sim.stop();
	}

	reset(): void {
		super.reset();
		this.dvw?.sim.reset();
	}

	get dv() {
		if (!this.dvw) throw new Error('Dataverse simulator not started');
		return this.dvw.sim;
	}

	dynamics(options?: DynamicsCrmOptions): DynamicsCrm {
		if (!this.dvw) throw new Error('Dataverse simulator not started');
		return this.dvw.crm(options);
	}

	/** `$batch` requests Dataverse answered (every DynamicsCrm write goes in one). */
	dvBatches(): number {
		return this.dv.log.count({ kind: 'batch' });
	}

	connector(crm: Crm): CrmConnector {
		return crm === 'sf' ? this.salesforce() : crm === 'hs' ? this.hubspot() : this.dynamics();
	}

	// Any CRM, common-shape values.
	insert(crm: Crm, v: Values): string {
		const f = toCrm(crm, v);
		if (crm === 'sf') return this.sfInsert(f);
		if (crm === 'hs') return this.hsInsert(f);
		return this.dv.createDirect('contact', f).id;
	}
	edit(crm: Crm, id: string, v: Values): void {
		const f = Object.fromEntries(
			Object.entries(toCrm(crm, v)).filter(([k]) => {
				const i = FIELDS[crm].indexOf(k);
				return v[COMMON[i]] !== undefined;
			}),
		);
		if (crm === 'sf') this.sfEdit(id, f);
		else if (crm === 'hs') this.hsEdit(id, f);
		else this.dv.updateDirect('contact', id, f);
	}
	remove(crm: Crm, id: string): void {
		if (crm === 'sf') this.sfDelete(id);
		else if (crm === 'hs') this.hsDelete(id);
		else this.dv.deleteDirect('contact', id);
	}
	/** Live records of a CRM: id and common-shape values. */
	all(crm: Crm): Array<{ id: string; v: Values }> {
		const rows =
			crm === 'sf'
				? this.sfAll()
				: crm === 'hs'
					? this.hsAll()
					: this.dv
							.collection('contact')
							.list()
							.map((r) => ({ id: r.id, fields: r.fields as Record<string, unknown> }));
		return rows.map((r) => ({ id: r.id, v: fromCrm(crm, r.fields) }));
	}
	idOf(crm: Crm, email: string): string {
		const r = this.all(crm).find((x) => String(x.v.email).toLowerCase() === email);
		if (!r) throw new Error(`no ${crm} contact ${email}`);
		return r.id;
	}

	/** Contacts of `a` ↔ contacts of `b` by e-mail, one conflict strategy per field (review on FirstName). */
	pairConfig(a: Crm, b: Crm, over: Partial<SyncConfig> = {}): SyncConfig {
		const f = (i: number) => ({ a: FIELDS[a][i], b: FIELDS[b][i] });
		return {
			syncId: `${a}-${b}`,
			a: { connector: this.connector(a), objectType: OBJECT[a] },
			b: { connector: this.connector(b), objectType: OBJECT[b] },
			matchKeys: [{ ...f(0), normalize: 'email' }],
			fields: [
				f(0),
				{ ...f(1), conflict: 'aWins' },
				{ ...f(2), conflict: 'review' },
				{ ...f(3), conflict: 'bWins' },
				{ ...f(4), conflict: 'mostRecent' },
			],
			conflict: 'aWins',
			deletes: 'propagate',
			...over,
		};
	}
}
