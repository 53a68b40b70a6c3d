/**
 * HubSpot's rate limits for the simulator, as rules of the kit's `RateLimiter`: `TEN_SECONDLY_ROLLING` per app
 * (private apps and OAuth apps apart), `SECONDLY` for search, `DAILY` for private apps; the
 * `X-HubSpot-RateLimit-*` headers and 429 bodies; the account-info endpoints (details, daily API usage) and
 * the `/__sandbox/rate-limit` admin endpoints.
 */
import { randomUUID } from 'node:crypto';
import {
	HttpError,
	RateLimiter,
	WindowLimiter,
	json,
	principalOf,
	type Clock,
	type LimitState,
	type RateLimitRule,
	type Reply,
	type ReplyHeaders,
	type SandboxRequest,
	type SandboxServer,
} from '../kit';
import { UNAUTHENTICATED_KINDS } from './auth';
import { ISO } from './wire';

/** HubSpot's rate limits as the simulator applies them. */
export interface HubSpotRateLimits {
	/** Private-app requests per rolling 10 s per app and account (`TEN_SECONDLY_ROLLING`): 100 (Free/Starter), 190 (Pro/Enterprise), 250 (API Limit Increase pack). */
	tenSecondly: number;
	/** OAuth (public app) requests per rolling 10 s per app and account (`TEN_SECONDLY_ROLLING`): 110. Default: `tenSecondly` when that is set lower, else 110. */
	oauthTenSecondly?: number;
	/** Private-app requests per day per account (`DAILY`): 250,000 (Free/Starter), 650,000 (Pro), 1,000,000 (Enterprise); reset at midnight (UTC + `dailyResetOffsetMs`). OAuth apps have no daily limit. */
	daily: number;
	/** Search requests per second per account (`SECONDLY`). */
	searchPerSecond: number;
	/** Shifts the daily reset from UTC midnight (the account's time zone). */
	dailyResetOffsetMs?: number;
}

/** Default limits: a Professional account (HubSpot developer changelog, "Increasing our API limits"). */
export const DEFAULT_HUBSPOT_RATE_LIMITS: HubSpotRateLimits = {
	tenSecondly: 190,
	oauthTenSecondly: 110,
	daily: 650_000,
	searchPerSecond: 5,
};

/** The limits in force and the rate limiter that applies them. */
export class HubSpotLimits {
	readonly rateLimiter: RateLimiter;
	private limits: HubSpotRateLimits | false = false;
	private tenSecondly?: WindowLimiter;
	private tenSecondlyOAuth?: WindowLimiter;
	private daily?: WindowLimiter;
	private secondly?: WindowLimiter;

	constructor(
		private readonly clock: Clock,
		private readonly portalId: string,
		private readonly oauthAppId: number,
	) {
		this.rateLimiter = new RateLimiter({ clock });
	}

	/** Sets the rate limits (counts restart), or removes them with `false`. */
	set(limits: HubSpotRateLimits | false): void {
		for (const name of ['TEN_SECONDLY_ROLLING', 'TEN_SECONDLY_ROLLING_OAUTH', 'SECONDLY', 'DAILY'])
			this.rateLimiter.removeRule(name);
		this.tenSecondly = this.tenSecondlyOAuth = this.daily = this.secondly = undefined;
		if (limits === false) {
			this.limits = false;
			return;
		}
		const oauthMax = limits.oauthTenSecondly ?? Math.min(110, limits.tenSecondly);
		this.limits = { ...limits, oauthTenSecondly: oauthMax };
		this.tenSecondly = new WindowLimiter({
			limit: limits.tenSecondly,
			windowMs: 10_000,
			mode: 'sliding',
		});
		this.tenSecondlyOAuth = new WindowLimiter({
			limit: oauthMax,
			windowMs: 10_000,
			mode: 'sliding',
		});
		this.secondly = new WindowLimiter({
			limit: limits.searchPerSecond,
			windowMs: 1000,
			mode: 'sliding',
		});
		this.daily = new WindowLimiter({
			limit: limits.daily,
			windowMs: 86_400_000,
			mode: 'fixed',
			alignOffsetMs: limits.dailyResetOffsetMs ?? 0,
		});
		const limited = (req: SandboxRequest) =>
			req.kind !== undefined &&
			!UNAUTHENTICATED_KINDS.has(req.kind) &&
			!req.kind.startsWith('account.');
		const isSearch = (req: SandboxRequest) => req.kind === 'search';
		const appKey = (req: SandboxRequest) => principalOf(req)?.clientId ?? 'anonymous';
		const isPrivateApp = (req: SandboxRequest) => appKey(req).startsWith('private-app:');
		const retryAfter = (state: LimitState) =>
			String(Math.max(1, Math.ceil(state.retryAfterMs / 1000)));
		const tooMany = (
			policyName: string,
			message: string,
			groupName: string,
			state: LimitState,
			headers: ReplyHeaders,
		): Reply =>
			json(
				{
					status: 'error',
					message,
					errorType: 'RATE_LIMIT',
					correlationId: randomUUID(),
					policyName,
					groupName,
				},
				429,
				{ ...headers, 'Retry-After': retryAfter(state) },
			);
		const group = (req: SandboxRequest) => {
			const app = appKey(req);
			return app.startsWith('private-app:')
				? `publicapi:private-app-api-calls-ten-secondly:${app.slice(12)}`
				: `publicapi:oauth-api-calls-ten-secondly:${this.oauthAppId}`;
		};
		const rules: RateLimitRule[] = [
			{
				name: 'SECONDLY',
				limiter: this.secondly,
				appliesTo: (req) => limited(req) && isSearch(req),
				key: () => this.portalId,
				reject: (_req, state) =>
					tooMany(
						'SECONDLY',
						'You have reached your secondly limit.',
						`publicapi:search-api-calls-secondly:${this.portalId}`,
						state,
						{},
					),
			},
			{
				name: 'TEN_SECONDLY_ROLLING',
				limiter: this.tenSecondly,
				appliesTo: (req) => limited(req) && !isSearch(req) && isPrivateApp(req),
				key: appKey,
				reject: (req, state) =>
					tooMany(
						'TEN_SECONDLY_ROLLING',
						'You have reached your ten_secondly_rolling limit.',
						group(req),
						state,
						this.tenSecondlyHeaders(0),
					),
				successHeaders: (_req, state) => this.tenSecondlyHeaders(state.remaining),
			},
			{
				name: 'TEN_SECONDLY_ROLLING_OAUTH',
				limiter: this.tenSecondlyOAuth,
				appliesTo: (req) => limited(req) && !isSearch(req) && !isPrivateApp(req),
				key: appKey,
				reject: (req, state) =>
					tooMany(
						'TEN_SECONDLY_ROLLING',
						'You have reached your ten_secondly_rolling limit.',
						group(req),
						state,
						this.tenSecondlyHeaders(0, oauthMax),
					),
				successHeaders: (_req, state) => this.tenSecondlyHeaders(state.remaining, oauthMax),
			},
			{
				name: 'DAILY',
				limiter: this.daily,
				appliesTo: (req) => limited(req) && isPrivateApp(req),
				key: () => this.portalId,
				reject: (_req, state) =>
					tooMany(
						'DAILY',
						'You have reached your daily limit.',
						`publicapi:api-calls-daily:${this.portalId}`,
						state,
						{
							'X-HubSpot-RateLimit-Daily': String(limits.daily),
							'X-HubSpot-RateLimit-Daily-Remaining': '0',
						},
					),
				// Search answers carry no X-HubSpot-RateLimit-* headers, as on HubSpot.
				successHeaders: (req, state): ReplyHeaders =>
					isSearch(req)
						? {}
						: {
								'X-HubSpot-RateLimit-Daily': String(limits.daily),
								'X-HubSpot-RateLimit-Daily-Remaining': String(state.remaining),
							},
			},
		];
		for (const r of rules) this.rateLimiter.setRule(r);
	}

	/** The current rate limits, or false. */
	get(): HubSpotRateLimits | false {
		return this.limits === false ? false : { ...this.limits };
	}

	/** The `X-HubSpot-RateLimit-*` headers of the ten-secondly window (none without limits). */
	tenSecondlyHeaders(
		remaining: number,
		max = this.limits === false ? 0 : this.limits.tenSecondly,
	): ReplyHeaders {
		if (this.limits === false) return {};
		return {
			'X-HubSpot-RateLimit-Interval-Milliseconds': '10000',
			'X-HubSpot-RateLimit-Max': String(max),
			'X-HubSpot-RateLimit-Remaining': String(remaining),
			'X-HubSpot-RateLimit-Secondly': String(Math.ceil(max / 10)),
			'X-HubSpot-RateLimit-Secondly-Remaining': String(
				Math.max(0, Math.min(Math.ceil(max / 10), remaining)),
			),
		};
	}

	/** `GET /account-info/v3/details` and `GET /account-info/v3/api-usage/daily/private-apps` (not rate limited). */
	installAccountInfo(s: SandboxServer): void {
		s.get(
			'/account-info/v3/details',
			() =>
				json({
					portalId: Number(this.portalId),
					accountType: 'STANDARD',
					timeZone: 'Etc/UTC',
					companyCurrency: 'USD',
					additionalCurrencies: [],
					utcOffset: '+00:00',
					utcOffsetMilliseconds: 0,
					uiDomain: 'app.hubspot.com',
					dataHostingLocation: 'na1',
				}),
			{ kind: 'account.details' },
		);
		s.get(
			'/account-info/v3/api-usage/daily/private-apps',
			() => {
				const limits = this.limits;
				const used =
					limits === false || !this.daily
						? 0
						: limits.daily - this.daily.peek(this.clock.now(), this.portalId).remaining;
				return json({
					results: [
						{
							name: 'private-apps-api-calls-daily',
							usageLimit: limits === false ? null : limits.daily,
							currentUsage: used,
							collectedAt: ISO(this.clock.now()),
							fetchStatus: 'SUCCESS',
						},
					],
				});
			},
			{ kind: 'account.usage' },
		);
	}

	/** `GET|PUT /__sandbox/rate-limit`. */
	installAdmin(s: SandboxServer): void {
		s.admin('GET', '/rate-limit', () => json({ rateLimits: this.get() }));
		s.admin('PUT', '/rate-limit', async (req) => {
			const body = (await req.json<Record<string, unknown>>()) ?? {};
			if (body.enabled === false) this.set(false);
			else {
				const current = this.limits === false ? DEFAULT_HUBSPOT_RATE_LIMITS : this.limits;
				const pick = (k: keyof HubSpotRateLimits, min: number) => {
					const v = body[k];
					if (v === undefined) return current[k] as number;
					if (!Number.isInteger(v) || (v as number) < min)
						throw new HttpError(400, `${k} must be an integer >= ${min}`, 'invalid_rate_limit');
					return v as number;
				};
				this.set({
					tenSecondly: pick('tenSecondly', 0),
					oauthTenSecondly:
						body.oauthTenSecondly === undefined && body.tenSecondly !== undefined
							? undefined
							: pick('oauthTenSecondly', 0),
					daily: pick('daily', 0),
					searchPerSecond: pick('searchPerSecond', 0),
					dailyResetOffsetMs: pick('dailyResetOffsetMs', 0),
				});
			}
			return json({ rateLimits: this.get() });
		});
	}
}
