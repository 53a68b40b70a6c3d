/** Admin endpoints of the GraphQL simulator (besides the kit's log, faults and latency). */
import { HttpError, empty, json, seedCounts } from '../kit';
import type { GraphqlSimulator } from './simulator';

/** `GET|PUT /__sandbox/rate-limit`, `GET /__sandbox/limits`, `POST /__sandbox/seed`, `POST /__sandbox/reset`. */
export function installGraphqlAdmin(sim: GraphqlSimulator): void {
	const s = sim.server;
	s.admin('GET', '/rate-limit', () => json({ rateLimit: sim.getRateLimit() }));
	s.admin('PUT', '/rate-limit', async (req) => {
		const body = await req.json<{ limit?: unknown; windowMs?: unknown; enabled?: unknown }>();
		if (body?.enabled === false) sim.setRateLimit(false);
		else if (
			Number.isInteger(body?.limit) &&
			(body.limit as number) >= 0 &&
			Number.isInteger(body?.windowMs) &&
			(body.windowMs as number) > 0
		)
			sim.setRateLimit({ limit: body.limit as number, windowMs: body.windowMs as number });
		else
			throw new HttpError(
				400,
				'expected {limit, windowMs} (integers) or {enabled:false}',
				'invalid_rate_limit',
			);
		return json({ rateLimit: sim.getRateLimit() });
	});
	s.admin('GET', '/limits', () => json({ limits: sim.limits }));
	s.admin('POST', '/seed', async (req) => {
		const counts = seedCounts(await req.json<{ contacts?: unknown; companies?: unknown }>(), [
			'contacts',
			'companies',
		]);
		return json({ created: sim.seed(counts) }, 201);
	});
	s.admin('POST', '/reset', () => {
		sim.reset();
		return empty();
	});
}
