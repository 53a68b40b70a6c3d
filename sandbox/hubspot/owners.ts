/**
 * Owners and pipelines of the HubSpot simulator: `GET /crm/v3/owners[/{id}]`, `GET /crm/v3/pipelines/{deals|
 * tickets}[/{id}[/stages]]`, the sample owners and pipelines every account starts with, and the live options
 * of the owner, pipeline and stage properties.
 */
import { json, type Clock, type Reply, type SandboxRequest, type SandboxServer } from '../kit';
import type { HubSpotData } from './data';
import type { ObjectTypeDef, PropertyDef, PropertyOption } from './schema';
import { ISO, hubspotError } from './wire';

/** A CRM owner (user). */
export interface HubSpotOwner {
	id: string;
	email: string;
	firstName: string;
	lastName: string;
	userId: number;
	archived: boolean;
}

/** A pipeline stage. */
export interface PipelineStage {
	id: string;
	label: string;
	displayOrder: number;
	metadata: Record<string, string>;
}

/** A pipeline. */
export interface Pipeline {
	id: string;
	label: string;
	displayOrder: number;
	stages: PipelineStage[];
}

/** The owners, the pipelines per object type id, and their routes. */
export class OwnersAndPipelines {
	readonly owners: HubSpotOwner[] = [];
	private readonly pipelines = new Map<string, Pipeline[]>();

	constructor(
		private readonly data: HubSpotData,
		private readonly clock: Clock,
	) {}

	install(s: SandboxServer): void {
		// owners
		s.get('/crm/v3/owners', (req) => this.listOwners(req), { kind: 'owners.list' });
		s.get(
			'/crm/v3/owners/:id',
			(req) => {
				const byUser = req.query.get('idProperty') === 'userId';
				const o = this.owners.find(
					(x) =>
						(byUser ? String(x.userId) : x.id) === req.params.id &&
						x.archived === (req.query.get('archived') === 'true'),
				);
				if (!o)
					throw hubspotError(
						404,
						'OBJECT_NOT_FOUND',
						`No owner with ${byUser ? 'userId' : 'id'} ${req.params.id}`,
					);
				return json(this.ownerJson(o));
			},
			{ kind: 'owners.get' },
		);

		// pipelines
		s.get(
			'/crm/v3/pipelines/:type',
			(req) =>
				json({ results: this.pipelinesOf(req.params.type).map((p) => this.pipelineJson(p)) }),
			{ kind: 'pipelines.list' },
		);
		s.get('/crm/v3/pipelines/:type/:id', (req) => json(this.pipelineJson(this.mustPipeline(req))), {
			kind: 'pipelines.get',
		});
		s.get(
			'/crm/v3/pipelines/:type/:id/stages',
			(req) => json({ results: this.mustPipeline(req).stages.map((st) => this.stageJson(st)) }),
			{ kind: 'pipelines.stages' },
		);
	}

	private ownerJson(o: HubSpotOwner): Record<string, unknown> {
		const at = ISO(this.clock.now() - 86_400_000 * 30);
		return {
			id: o.id,
			email: o.email,
			type: 'PERSON',
			firstName: o.firstName,
			lastName: o.lastName,
			userId: o.userId,
			userIdIncludingInactive: o.userId,
			createdAt: at,
			updatedAt: at,
			archived: o.archived,
			teams: [],
		};
	}

	private listOwners(req: SandboxRequest): Reply {
		const archived = req.query.get('archived') === 'true';
		const email = req.query.get('email');
		const limit = Math.min(Math.max(Number(req.query.get('limit') ?? 100) || 100, 1), 500);
		const after = Number(req.query.get('after') ?? 0) || 0;
		const all = this.owners.filter(
			(o) =>
				o.archived === archived &&
				(email === null || o.email.toLowerCase() === email.toLowerCase()),
		);
		const page = all.slice(after, after + limit);
		const next = after + limit < all.length ? String(after + limit) : undefined;
		return json({
			results: page.map((o) => this.ownerJson(o)),
			...(next
				? { paging: { next: { after: next, link: `${req.baseUrl}/crm/v3/owners/?after=${next}` } } }
				: {}),
		});
	}

	private pipelinesOf(typeName: string): Pipeline[] {
		const def = this.data.mustType(typeName);
		const list = this.pipelines.get(def.objectTypeId);
		if (!list)
			throw hubspotError(
				400,
				'VALIDATION_ERROR',
				`${def.name} do not have pipelines; pipelines exist for deals and tickets`,
			);
		return list;
	}

	private mustPipeline(req: SandboxRequest): Pipeline {
		const p = this.pipelinesOf(req.params.type).find((x) => x.id === req.params.id);
		if (!p)
			throw hubspotError(
				404,
				'OBJECT_NOT_FOUND',
				`No ${req.params.type} pipeline with id ${req.params.id}`,
			);
		return p;
	}

	private stageJson(st: PipelineStage): Record<string, unknown> {
		const at = ISO(Date.UTC(2020, 0, 1));
		return {
			id: st.id,
			label: st.label,
			displayOrder: st.displayOrder,
			metadata: st.metadata,
			createdAt: at,
			updatedAt: at,
			archived: false,
			writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
		};
	}

	private pipelineJson(p: Pipeline): Record<string, unknown> {
		const at = ISO(Date.UTC(2020, 0, 1));
		return {
			id: p.id,
			label: p.label,
			displayOrder: p.displayOrder,
			stages: p.stages.map((s) => this.stageJson(s)),
			createdAt: at,
			updatedAt: at,
			archived: false,
		};
	}

	/** Gives a type's owner, pipeline and stage properties their live options. */
	attachDynamicOptions(def: ObjectTypeDef): void {
		const owner = def.properties.get('hubspot_owner_id');
		if (owner)
			owner.dynamicOptions = () =>
				this.owners
					.filter((o) => !o.archived)
					.map((o, i) => ({
						label: `${o.firstName} ${o.lastName} (${o.email})`,
						value: o.id,
						displayOrder: i,
						hidden: false,
					}));
		const stageOptions = (typeId: string): PropertyOption[] =>
			(this.pipelines.get(typeId) ?? []).flatMap((p) =>
				p.stages.map((st) => ({
					label: `${st.label} (${p.label})`,
					value: st.id,
					displayOrder: st.displayOrder,
					hidden: false,
				})),
			);
		const pipelineOptions = (typeId: string): PropertyOption[] =>
			(this.pipelines.get(typeId) ?? []).map((p) => ({
				label: p.label,
				value: p.id,
				displayOrder: p.displayOrder,
				hidden: false,
			}));
		if (def.objectTypeId === '0-3') {
			(def.properties.get('pipeline') as PropertyDef).dynamicOptions = () => pipelineOptions('0-3');
			(def.properties.get('dealstage') as PropertyDef).dynamicOptions = () => stageOptions('0-3');
		}
		if (def.objectTypeId === '0-5') {
			(def.properties.get('hs_pipeline') as PropertyDef).dynamicOptions = () =>
				pipelineOptions('0-5');
			(def.properties.get('hs_pipeline_stage') as PropertyDef).dynamicOptions = () =>
				stageOptions('0-5');
		}
	}

	/** The sample owners and the Sales and Support pipelines; attaches the live options to every type. */
	seed(): void {
		this.owners.push(
			{
				id: '80000001',
				email: 'alex.owner@example.com',
				firstName: 'Alex',
				lastName: 'Owner',
				userId: 9001,
				archived: false,
			},
			{
				id: '80000002',
				email: 'sam.seller@example.com',
				firstName: 'Sam',
				lastName: 'Seller',
				userId: 9002,
				archived: false,
			},
			{
				id: '80000003',
				email: 'former.rep@example.com',
				firstName: 'Former',
				lastName: 'Rep',
				userId: 9003,
				archived: true,
			},
		);
		const stage = (
			id: string,
			label: string,
			i: number,
			metadata: Record<string, string>,
		): PipelineStage => ({ id, label, displayOrder: i, metadata });
		this.pipelines.set('0-3', [
			{
				id: 'default',
				label: 'Sales Pipeline',
				displayOrder: 0,
				stages: [
					['appointmentscheduled', 'Appointment Scheduled', '0.2'],
					['qualifiedtobuy', 'Qualified To Buy', '0.4'],
					['presentationscheduled', 'Presentation Scheduled', '0.6'],
					['decisionmakerboughtin', 'Decision Maker Bought-In', '0.8'],
					['contractsent', 'Contract Sent', '0.9'],
					['closedwon', 'Closed Won', '1.0'],
					['closedlost', 'Closed Lost', '0.0'],
				].map(([id, label, p], i) =>
					stage(id, label, i, { isClosed: String(id.startsWith('closed')), probability: p }),
				),
			},
		]);
		this.pipelines.set('0-5', [
			{
				id: '0',
				label: 'Support Pipeline',
				displayOrder: 0,
				stages: [
					['1', 'New', 'OPEN'],
					['2', 'Waiting on contact', 'OPEN'],
					['3', 'Waiting on us', 'OPEN'],
					['4', 'Closed', 'CLOSED'],
				].map(([id, label, state], i) =>
					stage(id, label, i, { ticketState: state, isClosed: String(state === 'CLOSED') }),
				),
			},
		]);
		for (const def of this.data.allTypes()) this.attachDynamicOptions(def);
	}
}
