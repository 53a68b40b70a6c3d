/**
 * Authentication for the HubSpot simulator: the private-app token (never expires), OAuth (authorization code
 * and refresh token over the kit's `OAuthServer`, HubSpot's token and token-info answers and error bodies),
 * `POST /oauth/v2/private-apps/get/access-token-info`, and the 401 bodies of the API.
 */
import { randomUUID } from 'node:crypto';
import {
	OAuthServer,
	empty,
	json,
	type Clock,
	type Middleware,
	type Reply,
	type SandboxRequest,
	type SandboxServer,
} from '../kit';
import { hubspotError } from './wire';

/** Request kinds answered without a token (and not rate limited). */
export const UNAUTHENTICATED_KINDS = new Set([
	'oauth.authorize',
	'oauth.token',
	'oauth.token-info',
	'oauth.refresh-token',
	'forms.submit',
]);

/** The account's credentials. */
export interface HubSpotIdentity {
	portalId: string;
	/** The private-app token. */
	accessToken: string;
	clientId: string;
	clientSecret: string;
	/** Id of the private app behind `accessToken`. */
	privateAppId: number;
	/** Id of the OAuth app. */
	oauthAppId: number;
}

/** The OAuth server, the private-app token and the auth routes. */
export class HubSpotAuth {
	readonly oauth: OAuthServer;
	/** OAuth access tokens issued (the `expireTokens` fault expires these, never the private-app token). */
	private readonly oauthTokens = new Set<string>();

	constructor(
		server: SandboxServer,
		private readonly clock: Clock,
		private readonly id: HubSpotIdentity,
		accessTokenTtlSeconds: number | undefined,
	) {
		this.oauth = new OAuthServer({
			clock: this.clock,
			clients: [
				{
					clientId: id.clientId,
					clientSecret: id.clientSecret,
					grants: ['authorization_code', 'refresh_token'],
					defaultScopes: [
						'oauth',
						'crm.objects.contacts.read',
						'crm.objects.contacts.write',
						'crm.objects.companies.read',
						'crm.objects.companies.write',
						'crm.objects.deals.read',
						'crm.objects.deals.write',
						'crm.schemas.custom.read',
						'forms',
					],
				},
			],
			users: [{ username: 'sandbox-admin@example.com', password: 'not-used', id: '9001' }],
			accessTokenTtlSeconds: accessTokenTtlSeconds ?? 1800,
			tokenPrefix: 'CJSP',
			shapeToken: (base) => ({
				token_type: 'bearer',
				...(base.refresh_token !== undefined ? { refresh_token: base.refresh_token } : {}),
				access_token: base.access_token,
				expires_in: base.expires_in,
			}),
			errorReply: (status, code, description) => this.oauthError(status, code, description),
			unauthorized: (_req, reason) => this.unauthorized(reason),
		});
		this.oauth.issue({
			clientId: `private-app:${id.privateAppId}`,
			subject: `portal:${id.portalId}`,
			ttlSeconds: Infinity,
			accessToken: id.accessToken,
			scope: ['crm.objects.contacts.write'],
		});
		// The "expireTokens" fault expires OAuth access tokens; private-app tokens do not expire.
		server.faults.onExpireTokens(() => {
			let n = 0;
			for (const t of this.oauthTokens) if (this.oauth.expire(t)) n++;
			return n;
		});
	}

	/** Checks the bearer token of every request but those of {@link UNAUTHENTICATED_KINDS} (and unrouted ones). */
	middleware(): Middleware {
		return this.oauth.middleware({
			skip: (req) => req.kind === undefined || UNAUTHENTICATED_KINDS.has(req.kind),
		});
	}

	/** Issues an OAuth access token directly (as if the code flow had run), for tests. */
	issueOAuthToken(ttlSeconds?: number): string {
		const t = this.oauth.issue({
			clientId: this.id.clientId,
			subject: 'sandbox-admin@example.com',
			ttlSeconds,
			scope: ['oauth', 'crm.objects.contacts.read'],
		});
		this.oauthTokens.add(t.accessToken);
		return t.accessToken;
	}

	install(s: SandboxServer): void {
		s.get(
			'/oauth/authorize',
			(req) => {
				if (!req.query.has('response_type')) req.query.set('response_type', 'code');
				return this.oauth.authorizeHandler(req);
			},
			{ kind: 'oauth.authorize' },
		);
		s.post('/oauth/v1/token', (req) => this.token(req), { kind: 'oauth.token' });
		s.get('/oauth/v1/access-tokens/:token', (req) => this.tokenInfo(req.params.token), {
			kind: 'oauth.token-info',
		});
		s.delete(
			'/oauth/v1/refresh-tokens/:token',
			(req) => {
				this.oauth.revoke(req.params.token);
				return empty(204);
			},
			{ kind: 'oauth.refresh-token' },
		);
		s.post(
			'/oauth/v2/private-apps/get/access-token-info',
			async (req) => {
				const body = (await req.json<{ tokenKey?: unknown }>()) ?? {};
				if (body.tokenKey !== this.id.accessToken)
					throw hubspotError(404, 'OBJECT_NOT_FOUND', 'No private app token matches tokenKey');
				return json({
					userId: 9001,
					hubId: Number(this.id.portalId),
					appId: this.id.privateAppId,
					scopes: [
						'crm.objects.contacts.read',
						'crm.objects.contacts.write',
						'crm.objects.companies.read',
						'crm.objects.companies.write',
						'crm.objects.deals.read',
						'crm.objects.deals.write',
						'crm.schemas.custom.read',
						'forms',
					],
				});
			},
			{ kind: 'oauth.token-info' },
		);
	}

	private async token(req: SandboxRequest): Promise<Reply> {
		const form =
			req.contentType === 'application/x-www-form-urlencoded' ? await req.form() : undefined;
		if (form && form.get('client_id') !== null && form.get('client_id') !== this.id.clientId) {
			return this.oauthError(400, 'invalid_client', 'invalid client credentials');
		}
		const reply = await this.oauth.tokenHandler(req);
		if (reply.status === 200 && typeof reply.body === 'string') {
			const body = JSON.parse(reply.body) as Record<string, unknown>;
			if (typeof body.access_token === 'string') this.oauthTokens.add(body.access_token);
			if (body.refresh_token === undefined && form?.get('grant_type') === 'refresh_token') {
				// HubSpot repeats the (unchanged) refresh token on refresh.
				const ordered = {
					token_type: body.token_type,
					refresh_token: form.get('refresh_token'),
					access_token: body.access_token,
					expires_in: body.expires_in,
				};
				return json(ordered, 200, reply.headers);
			}
		}
		return reply;
	}

	private tokenInfo(token: string): Reply {
		const t = this.oauth.lookup(token);
		const now = this.clock.now();
		if (!t || t.forcedExpired || now >= t.expiresAt || t.clientId !== this.id.clientId) {
			throw hubspotError(404, 'OBJECT_NOT_FOUND', 'The access token is unknown or expired');
		}
		return json({
			token,
			user: t.subject,
			hub_domain: `sandbox-${this.id.portalId}.hubspot.com`,
			scopes: t.scope,
			scope_to_scope_group_pks: [],
			trial_scopes: [],
			trial_scope_to_scope_group_pks: [],
			hub_id: Number(this.id.portalId),
			app_id: this.id.oauthAppId,
			expires_in: Math.max(0, Math.floor((t.expiresAt - now) / 1000)),
			user_id: 9001,
			token_type: 'access',
		});
	}

	private oauthError(status: number, code: string, description: string): Reply {
		const map: Record<string, [string, string]> = {
			invalid_client: ['BAD_CLIENT_ID', 'missing or invalid client_id / client_secret'],
			unsupported_grant_type: ['BAD_GRANT_TYPE', description],
			unauthorized_client: ['BAD_GRANT_TYPE', description],
			invalid_request: ['BAD_REQUEST', description],
		};
		let [hsStatus, message] = map[code] ?? ['BAD_REQUEST', description];
		if (code === 'invalid_grant') {
			if (/refresh/.test(description))
				[hsStatus, message] = ['BAD_REFRESH_TOKEN', 'missing or unknown refresh token'];
			else if (/redirect_uri/.test(description))
				[hsStatus, message] = [
					'BAD_REDIRECT_URI',
					'redirect_uri does not match the one used to get the code',
				];
			else [hsStatus, message] = ['BAD_AUTH_CODE', 'missing or unknown auth code'];
		}
		return json(
			{ status: hsStatus, message, correlationId: randomUUID() },
			status === 401 ? 400 : status,
		);
	}

	private unauthorized(reason: 'missing' | 'invalid' | 'expired'): Reply {
		const message =
			reason === 'missing'
				? 'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview'
				: reason === 'expired'
					? 'The OAuth token used to make this call expired.'
					: 'Authentication credentials are invalid. Check that the access token (private app token or OAuth token) is correct.';
		return json(
			{
				status: 'error',
				message,
				correlationId: randomUUID(),
				category: reason === 'expired' ? 'EXPIRED_AUTHENTICATION' : 'INVALID_AUTHENTICATION',
			},
			401,
		);
	}
}
