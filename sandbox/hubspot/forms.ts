/**
 * Forms of the HubSpot simulator: `GET /marketing/v3/forms[/{id}]` and the submissions API
 * (`POST /submissions/v3/integration/submit/{portalId}/{formGuid}`, no auth, and `/secure/submit/`): fields
 * checked against the form, the contact upserted by email, each submission recorded.
 */
import { randomUUID } from 'node:crypto';
import {
	guidGenerator,
	json,
	type Clock,
	type Reply,
	type SandboxRequest,
	type SandboxServer,
} from '../kit';
import type { HubSpotData } from './data';
import type { ObjectTypeDef } from './schema';
import { planWrite } from './writes';
import { ISO, hubspotError } from './wire';

/** A form field. */
export interface FormField {
	name: string;
	label: string;
	fieldType: string;
	required: boolean;
	objectTypeId: string;
}

/** A form the submission endpoint validates against. */
export interface HubSpotForm {
	id: string;
	name: string;
	fields: FormField[];
	/** Answer with `redirectUri` instead of `inlineMessage`. */
	redirectUri?: string;
	inlineMessage?: string;
}

/** A recorded form submission. */
export interface FormSubmission {
	formGuid: string;
	submittedAt: number;
	fields: Record<string, string>;
	contactId?: string;
	secure: boolean;
	context?: unknown;
}

/** The forms, their submissions and their routes. */
export class FormsApi {
	readonly forms: HubSpotForm[] = [];
	readonly submissions: FormSubmission[] = [];

	constructor(
		private readonly data: HubSpotData,
		private readonly clock: Clock,
		private readonly portalId: string,
	) {}

	install(s: SandboxServer): void {
		s.get('/marketing/v3/forms', () => json({ results: this.forms.map((f) => this.formJson(f)) }), {
			kind: 'forms.list',
		});
		s.get(
			'/marketing/v3/forms/:id',
			(req) => {
				const f = this.forms.find((x) => x.id === req.params.id);
				if (!f) throw hubspotError(404, 'OBJECT_NOT_FOUND', `No form with id ${req.params.id}`);
				return json(this.formJson(f));
			},
			{ kind: 'forms.get' },
		);
		s.post(
			'/submissions/v3/integration/submit/:portalId/:formGuid',
			(req) => this.submitForm(req, false),
			{ kind: 'forms.submit' },
		);
		s.post(
			'/submissions/v3/integration/secure/submit/:portalId/:formGuid',
			(req) => this.submitForm(req, true),
			{ kind: 'forms.secure-submit' },
		);
	}

	/** The two sample forms: "Contact us" (required email) and "Newsletter" (answers with a redirect). */
	seed(): void {
		const guids = guidGenerator(0xf0f0);
		this.forms.push({
			id: guids(),
			name: 'Contact us',
			fields: [
				{ name: 'email', label: 'Email', fieldType: 'email', required: true, objectTypeId: '0-1' },
				{
					name: 'firstname',
					label: 'First name',
					fieldType: 'single_line_text',
					required: false,
					objectTypeId: '0-1',
				},
				{
					name: 'lastname',
					label: 'Last name',
					fieldType: 'single_line_text',
					required: false,
					objectTypeId: '0-1',
				},
				{
					name: 'company',
					label: 'Company name',
					fieldType: 'single_line_text',
					required: false,
					objectTypeId: '0-1',
				},
			],
		});
		this.forms.push({
			id: guids(),
			name: 'Newsletter',
			fields: [
				{ name: 'email', label: 'Email', fieldType: 'email', required: true, objectTypeId: '0-1' },
			],
			redirectUri: 'https://example.com/thanks',
		});
	}

	private formJson(f: HubSpotForm): Record<string, unknown> {
		const at = ISO(Date.UTC(2023, 5, 1));
		return {
			id: f.id,
			name: f.name,
			formType: 'hubspot',
			createdAt: at,
			updatedAt: at,
			archived: false,
			fieldGroups: f.fields.map((fl) => ({
				groupType: 'default_group',
				richTextType: 'text',
				fields: [
					{
						objectTypeId: fl.objectTypeId,
						name: fl.name,
						label: fl.label,
						required: fl.required,
						hidden: false,
						fieldType: fl.fieldType,
					},
				],
			})),
			configuration: {
				language: 'en',
				createNewContactForNewEmail: false,
				editable: true,
				allowLinkToResetKnownValues: false,
				postSubmitAction: f.redirectUri
					? { type: 'redirect_url', value: f.redirectUri }
					: { type: 'thank_you', value: f.inlineMessage ?? 'Thanks for submitting the form.' },
				archivable: true,
				recaptchaEnabled: false,
				notifyContactOwner: false,
				notifyRecipients: [],
				prePopulateKnownValues: true,
				cloneable: true,
				lifecycleStages: [],
			},
			displayOptions: {
				renderRawHtml: false,
				theme: 'default_style',
				submitButtonText: 'Submit',
				style: {},
			},
			legalConsentOptions: { type: 'none' },
		};
	}

	private async submitForm(req: SandboxRequest, secure: boolean): Promise<Reply> {
		const formError = (
			status: number,
			message: string,
			errors: Array<{ message: string; errorType: string }>,
		) => json({ status: 'error', message, correlationId: randomUUID(), errors }, status);
		if (req.params.portalId !== this.portalId) {
			return formError(404, 'The request is not valid', [
				{ message: `Portal ${req.params.portalId} was not found`, errorType: 'PORTAL_NOT_FOUND' },
			]);
		}
		const form = this.forms.find((f) => f.id === req.params.formGuid);
		if (!form)
			return formError(404, 'The request is not valid', [
				{ message: `Form ${req.params.formGuid} was not found`, errorType: 'FORM_NOT_FOUND' },
			]);
		const body = await req.json<{ fields?: unknown; context?: unknown; submittedAt?: unknown }>();
		if (!body || !Array.isArray(body.fields))
			return formError(400, 'The request is not valid', [
				{
					message: "Error in 'fields'. Required field 'fields' is missing",
					errorType: 'REQUIRED_FIELD',
				},
			]);
		const values: Record<string, string> = {};
		const errors: Array<{ message: string; errorType: string }> = [];
		for (const [i, f] of (
			body.fields as Array<{ name?: unknown; value?: unknown; objectTypeId?: unknown }>
		).entries()) {
			const name = typeof f?.name === 'string' ? f.name : '';
			const def = form.fields.find(
				(x) =>
					x.name === name && (f.objectTypeId === undefined || f.objectTypeId === x.objectTypeId),
			);
			if (!def) {
				errors.push({
					message: `Error in 'fields[${i}]'. Field '${name}' is not in the form definition`,
					errorType: 'FIELD_NOT_IN_FORM_DEFINITION',
				});
				continue;
			}
			values[name] = f.value === undefined || f.value === null ? '' : String(f.value);
		}
		for (const f of form.fields) {
			if (f.required && (values[f.name] ?? '').trim() === '')
				errors.push({
					message: `Error in 'fields.${f.name}'. Required field '${f.name}' is missing`,
					errorType: 'REQUIRED_FIELD',
				});
		}
		if (
			values.email !== undefined &&
			values.email !== '' &&
			!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email)
		) {
			errors.push({
				message: "Error in 'fields.email'. Invalid email address",
				errorType: 'INVALID_EMAIL',
			});
		}
		if (errors.length > 0) return formError(400, 'The request is not valid', errors);
		let contactId: string | undefined;
		if (values.email) {
			const contacts = this.data.typeById('0-1') as ObjectTypeDef;
			const props: Record<string, string> = {};
			for (const f of form.fields)
				if (
					f.objectTypeId === '0-1' &&
					contacts.properties.has(f.name) &&
					values[f.name] !== undefined &&
					values[f.name] !== ''
				)
					props[f.name] = values[f.name];
			const plan = planWrite(
				this.data,
				contacts,
				'upsert',
				{ idProperty: 'email', id: values.email, properties: props },
				new Map(),
				0,
			);
			if (plan.ok) contactId = plan.run().record.id;
		}
		this.submissions.push({
			formGuid: form.id,
			submittedAt: this.clock.now(),
			fields: values,
			contactId,
			secure,
			context: body.context,
		});
		return json(
			form.redirectUri
				? { redirectUri: form.redirectUri }
				: { inlineMessage: form.inlineMessage ?? 'Thanks for submitting the form.' },
		);
	}
}
