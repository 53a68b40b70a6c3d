/**
 * What the conformance suite (`suite.ts`) needs from each CRM besides its connector: a simulator to act on
 * directly (seeding, editing, deleting records behind the connector's back, counting what is really stored) and
 * the names of one object type with a unique key field. Each `test/contract/<crm>.test.ts` builds one.
 */
import type { CrmConnector, WriteInput } from '../../core/connectors/contract';

export interface ContractHarness {
	/** A connector over the simulator (fresh per call: no state shared between tests). */
	connector(): CrmConnector;
	/** An object type with the fields below (e.g. `Contact`, `contacts`). */
	objectType: string;
	/** A text field every input sets (e.g. `LastName`, `lastname`). */
	textField: string;
	/** A field the CRM enforces unique and accepts as an upsert key (e.g. `External_Id__c`, `email`). */
	keyField: string;
	/** A field that is not unique, for `findByKeys` with two matches (e.g. `Department`, `jobtitle`). */
	sharedField: string;
	/** The fields of record number `i` for create (distinct text and key values). */
	makeFields(i: number): Record<string, unknown>;
	/** Fields no record may have (the CRM rejects the record; its neighbours must not suffer). */
	invalidFields(): Record<string, unknown>;
	/** Empties the simulator's store (and faults) before each test. */
	reset(): void | Promise<void>;
	/** Records of the object type really stored in the simulator. */
	storedCount(): number;
	/** Creates `n` records directly in the simulator (not through the connector); their ids in order. */
	seed(n: number, fields?: (i: number) => Record<string, unknown>): Promise<string[]> | string[];
	/** Changes a record directly in the simulator, moving its last-modified time to the simulator's now. */
	editDirect(id: string, fields: Record<string, unknown>): void | Promise<void>;
	/** Deletes a record directly in the simulator (so that a change feed reports it). */
	deleteDirect(id: string): void | Promise<void>;
	/** Moves the simulator's clock forward (its ManualClock), so that lags and second boundaries pass. */
	advance(ms: number): void;
	/** Makes the simulator answer the next batch write with its results in reverse order, where the API allows it (false: it does not). */
	answerNextBatchOutOfOrder(): boolean;
	/** Stops the simulator. */
	stop(): Promise<void>;
	/** Users / owners in the simulator, for `listUsers` (required when the connector implements it). */
	users?: UsersHarness;
}

/** A user to create directly in the simulator. */
export interface SeedUser {
	email: string;
	firstName: string;
	lastName: string;
	active: boolean;
}

/** What the `listUsers` case needs from a simulator. */
export interface UsersHarness {
	/** Users per page of the CRM's list (the case seeds more than one page). */
	pageSize: number;
	/** Creates users directly in the simulator (removed again by `reset`); their ids in order. */
	seed(users: SeedUser[]): string[];
	/** The ids of every user stored in the simulator, active or not. */
	storedIds(): string[];
	/** Requests the simulator answered for user lists so far (since `reset`). */
	listRequests(): number;
}

/** Inputs for create. */
export function createInputs(h: ContractHarness, from: number, count: number): WriteInput[] {
	return Array.from({ length: count }, (_, i) => ({ fields: h.makeFields(from + i) }));
}
