/**
 * Authentication for the Dataverse simulator: a Microsoft identity platform v2.0 client-credentials token endpoint
 * (`POST /{tenant}/oauth2/v2.0/token`, `scope={serverUrl}/.default`) over the kit's OAuthServer, bearer tokens on
 * every API route, Dataverse's 401 (no body, a `WWW-Authenticate` challenge naming the authority), and `WhoAmI`.
 */
import {
	OAuthServer,
	empty,
	json,
	microsoftTokenShape,
	principalOf,
	type Clock,
	type Middleware,
	type SandboxRequest,
	type SandboxServer,
} from '../kit';
import { API_PATH, odataJson } from './wire';

/** The identities behind the simulator's organisation. */
export interface DvIdentity {
	tenantId: string;
	clientId: string;
	clientSecret: string;
	/** systemuserid of the application user the client acts as. */
	appUserId: string;
	businessUnitId: string;
	organizationId: string;
}

export class DvAuth {
	readonly oauth: OAuthServer;

	constructor(
		server: SandboxServer,
		clock: Clock,
		private readonly id: DvIdentity,
	) {
		this.oauth = new OAuthServer({
			clock,
			clients: [
				{
					clientId: id.clientId,
					clientSecret: id.clientSecret,
					grants: ['client_credentials'],
					subject: id.appUserId,
				},
			],
			accessTokenTtlSeconds: 3599,
			tokenPrefix: 'eyJ0eXAiOiJKV1Qi.',
			shapeToken: microsoftTokenShape(),
			errorReply: (status, error, description) =>
				json(
					{ error, error_description: `AADSTS7000215: ${description}`, error_codes: [7000215] },
					status,
				),
			unauthorized: (req) =>
				empty(401, {
					'WWW-Authenticate': `Bearer authorization_uri=${req.baseUrl}/${id.tenantId}/oauth2/authorize, resource_id=${req.baseUrl}/`,
				}),
		});
		this.oauth.attachFaults(server.faults);
	}

	/** Bearer auth on every routed API request except the token endpoint (unrouted ones still 401 first). */
	middleware(): Middleware {
		return this.oauth.middleware({ skip: (req) => req.kind === 'token' });
	}

	/** The scope a token must be asked for. */
	scope(baseUrl: string): string {
		return `${baseUrl}/.default`;
	}

	install(s: SandboxServer): void {
		s.post('/:tenant/oauth2/v2.0/token', (req) => this.token(req), { kind: 'token' });
		const whoAmI = (req: SandboxRequest) =>
			odataJson({
				'@odata.context': `${req.baseUrl}${API_PATH}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
				BusinessUnitId: this.id.businessUnitId,
				UserId: principalOf(req)?.subject ?? this.id.appUserId,
				OrganizationId: this.id.organizationId,
			});
		s.get(`${API_PATH}/WhoAmI()`, whoAmI, { kind: 'whoami' });
		s.get(`${API_PATH}/WhoAmI`, whoAmI, { kind: 'whoami' });
	}

	/** Checks tenant and scope (Entra refuses a token for another resource), then lets the OAuthServer answer. */
	private async token(req: SandboxRequest) {
		if (req.params.tenant !== this.id.tenantId && req.params.tenant !== 'organizations')
			return json(
				{
					error: 'invalid_request',
					error_description: `AADSTS90002: Tenant '${req.params.tenant}' not found.`,
					error_codes: [90002],
				},
				400,
			);
		const form =
			req.contentType === 'application/x-www-form-urlencoded' ? await req.form() : undefined;
		const scope = form?.get('scope');
		if (form && scope !== this.scope(req.baseUrl) && scope !== `${req.baseUrl}//.default`)
			return json(
				{
					error: 'invalid_scope',
					error_description: `AADSTS1002012: The provided value for scope ${scope ?? ''} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
					error_codes: [1002012],
				},
				400,
			);
		return this.oauth.tokenHandler(req);
	}
}
