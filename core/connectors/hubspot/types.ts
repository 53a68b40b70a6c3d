/**
 * HubSpot CRM v3/v4 wire shapes, as the API sends and accepts them (JSON: timestamps are ISO strings, property
 * values are strings). Request inputs reuse `@hubspot/api-client`'s model names where they match the wire.
 */

/** A CRM object as the objects, batch and search endpoints return it. */
export interface HubSpotObject {
	id: string;
	properties: Record<string, string | null>;
	createdAt?: string;
	updatedAt?: string;
	archived?: boolean;
	archivedAt?: string;
	/** Batch upsert only: whether the record was created. */
	new?: boolean;
	/** Echo of the input's `objectWriteTraceId` (batch writes). */
	objectWriteTraceId?: string;
	associations?: Record<string, { results: Array<{ id: string; type: string }> }>;
}

/** HubSpot's error body (`StandardError` in batch responses, the top-level error of a failed call). */
export interface HubSpotErrorBody {
	status: string;
	message: string;
	category?: string;
	subCategory?: unknown;
	correlationId?: string;
	policyName?: string;
	errorType?: string;
	context?: Record<string, unknown>;
	errors?: Array<{
		message?: string;
		code?: string;
		context?: Record<string, unknown>;
		in?: string;
		subCategory?: string;
	}>;
	id?: string;
}

/** `POST …/batch/*` response (200 complete, 207 with `errors`). */
export interface HubSpotBatchResponse<T = HubSpotObject> {
	status: string;
	results: T[];
	errors?: HubSpotErrorBody[];
	numErrors?: number;
	startedAt?: string;
	completedAt?: string;
}

/** A page of a list or search endpoint. */
export interface HubSpotPage<T = HubSpotObject> {
	results: T[];
	total?: number;
	paging?: { next?: { after: string; link?: string } };
}

/** HubSpot's search filter operators. */
export type HubSpotFilterOperator =
	| 'EQ'
	| 'NEQ'
	| 'LT'
	| 'LTE'
	| 'GT'
	| 'GTE'
	| 'BETWEEN'
	| 'IN'
	| 'NOT_IN'
	| 'HAS_PROPERTY'
	| 'NOT_HAS_PROPERTY'
	| 'CONTAINS_TOKEN'
	| 'NOT_CONTAINS_TOKEN';

/** One search filter. */
export interface HubSpotFilter {
	propertyName: string;
	operator: HubSpotFilterOperator;
	value?: string;
	values?: string[];
	highValue?: string;
}

/** Filters in one group are ANDed; groups are ORed. */
export interface HubSpotFilterGroup {
	filters: HubSpotFilter[];
}

/** A search sort. */
export interface HubSpotSort {
	propertyName: string;
	direction: 'ASCENDING' | 'DESCENDING';
}

/** The body of `POST /crm/v3/objects/{type}/search`. */
export interface HubSpotSearchRequest {
	filterGroups?: HubSpotFilterGroup[];
	sorts?: HubSpotSort[];
	query?: string;
	properties?: string[];
	limit?: number;
	after?: string;
}

/** A property definition (`/crm/v3/properties/{type}`). */
export interface HubSpotProperty {
	name: string;
	label: string;
	type: string;
	fieldType: string;
	groupName?: string;
	description?: string;
	options?: Array<{
		label: string;
		value: string;
		hidden?: boolean;
		displayOrder?: number;
		description?: string;
	}>;
	hasUniqueValue?: boolean;
	hidden?: boolean;
	calculated?: boolean;
	externalOptions?: boolean;
	formField?: boolean;
	modificationMetadata?: {
		readOnlyValue?: boolean;
		readOnlyDefinition?: boolean;
		archivable?: boolean;
	};
	/** The object a property's values point at (`OWNER` for `hubspot_owner_id`). */
	referencedObjectType?: string;
	archived?: boolean;
	createdAt?: string;
	updatedAt?: string;
}

/** A custom object schema (`/crm/v3/schemas`). */
export interface HubSpotSchema {
	id: string;
	name: string;
	objectTypeId: string;
	fullyQualifiedName?: string;
	labels?: { singular?: string; plural?: string };
	primaryDisplayProperty?: string;
	requiredProperties?: string[];
	searchableProperties?: string[];
	archived?: boolean;
}

/** An association type (v4). */
export interface HubSpotAssociationType {
	associationCategory: 'HUBSPOT_DEFINED' | 'USER_DEFINED' | 'INTEGRATOR_DEFINED';
	associationTypeId: number;
}

/** An association label definition (`/crm/v4/associations/{from}/{to}/labels`). */
export interface HubSpotAssociationLabel {
	category: HubSpotAssociationType['associationCategory'];
	typeId: number;
	label: string | null;
}

/** One associated record as the v4 batch read returns it. */
export interface HubSpotAssociatedRecord {
	toObjectId: string | number;
	associationTypes: Array<{ category: string; typeId: number; label?: string | null }>;
}

/** An owner (`/crm/v3/owners`). */
export interface HubSpotOwner {
	id: string;
	email?: string;
	firstName?: string;
	lastName?: string;
	userId?: number;
	archived?: boolean;
}

/** A pipeline (`/crm/v3/pipelines/{type}`). */
export interface HubSpotPipeline {
	id: string;
	label: string;
	displayOrder?: number;
	stages: Array<{
		id: string;
		label: string;
		displayOrder?: number;
		metadata?: Record<string, string>;
	}>;
}
