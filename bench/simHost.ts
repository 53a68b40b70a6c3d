/**
 * The CRM Sync benchmark's simulators, in a child process (`bench/crmSync.ts` forks `dist/bench/simHost.js` with IPC):
 * the bench process's RSS then measures n8n's engine and our node alone, and the simulators' CPU runs on the other
 * core. Salesforce, HubSpot and Dataverse simulators with vendor-like limits on — HubSpot 190 requests per rolling
 * 10 s (100 per batch), Salesforce's daily API allowance (rolling 24 h, 100,000: an Enterprise
 * Edition org's base allowance; the simulator's default 15,000 is a Developer Edition's), Dataverse's service protection (`DEFAULT_SERVICE_PROTECTION`) — and 40 ms latency per HTTP request.
 *
 * Their clock is the wall clock plus an offset the parent moves forward (`advance`) past the change feeds' safety
 * lags (Salesforce 60 s, HubSpot 30 s), as the sync tests move their ManualClock: the runs themselves take real time,
 * so the rate windows roll as they would.
 *
 * IPC: `{ id, cmd, ...args }` → `{ id, ok, result | error }`. Commands: `start`, `seed` (records `from..to` of the
 * bench's people on a side, straight into the simulator's store), `edit` (a share of a side's records), `advance`,
 * `counts` (records per side, lost and duplicated people from the final state), `stats` / `resetStats` (API calls
 * by kind, writes, 429s, peak requests per window), `stop`.
 */
import { HubSpotSimulator } from '../sandbox';
import {
	DEFAULT_SERVICE_PROTECTION,
	DynamicsSimulator,
	isInternalRequest,
} from '../sandbox/dynamics';
import type { Clock } from '../sandbox/kit/clock';
import type { SandboxRequest } from '../sandbox/kit/http';
import { SalesforceSimulator } from '../sandbox/salesforce';
import { lostAndDuplicates } from './entry';
import {
	FIELD_NAMES,
	HUBSPOT_LIMITS,
	LATENCY_MS,
	person,
	SALESFORCE_DAILY_LIMIT,
	type SimSide,
} from './simPeople';

/** Wall clock plus an offset moved forward on demand. */
class ShiftedClock implements Clock {
	private offset = 0;
	now = (): number => Date.now() + this.offset;
	advance(ms: number): void {
		this.offset += ms;
	}
}

/** What one simulator answered, counted as it answers (its request log keeps only the last 100,000 entries). */
class Tally {
	byKind: Record<string, number> = {};
	/** Requests inside a Dataverse `$batch` (operations, not HTTP calls). */
	inner = 0;
	calls = 0;
	writes = 0;
	http429 = 0;
	times: number[] = [];
	constructor(private readonly writeKinds: RegExp) {}
	add(req: SandboxRequest, status: number): void {
		const kind = req.kind ?? '(none)';
		if (/token/.test(kind)) return;
		if (isInternalRequest(req)) {
			this.inner++;
			return;
		}
		this.byKind[kind] = (this.byKind[kind] ?? 0) + 1;
		this.calls++;
		if (this.writeKinds.test(kind)) this.writes++;
		if (status === 429) this.http429++;
		this.times.push(req.startedAt);
	}
	/** Most requests in any `windowMs` (sliding). */
	peak(windowMs: number): number {
		const t = [...this.times].sort((a, b) => a - b);
		let best = 0;
		for (let i = 0, j = 0; i < t.length; i++) {
			while (t[i] - t[j] >= windowMs) j++;
			best = Math.max(best, i - j + 1);
		}
		return best;
	}
}

const SF_WRITES = /^(sobject\.|collections\.|bulk\.|composite)/;
const HS_WRITES = /^(create|update|archive|delete|batch\.(create|update|upsert|archive))$/;
const DV_WRITES = /^batch$/;

const clock = new ShiftedClock();
const sf = new SalesforceSimulator({
	clock,
	seed: 5,
	latency: LATENCY_MS,
	dailyRequestLimit: SALESFORCE_DAILY_LIMIT,
	bulk: { processingDelayMs: 50, chunkSize: 10_000 },
});
const hs = new HubSpotSimulator({
	clock,
	seed: 6,
	latency: LATENCY_MS,
	rateLimits: HUBSPOT_LIMITS,
	strictTimestamps: false,
});
const dv = new DynamicsSimulator({
	clock,
	seed: 7,
	latency: LATENCY_MS,
	serviceProtection: { ...DEFAULT_SERVICE_PROTECTION },
});
const tallies = { sf: new Tally(SF_WRITES), hs: new Tally(HS_WRITES), dv: new Tally(DV_WRITES) };
const resetTallies = () => {
	tallies.sf = new Tally(SF_WRITES);
	tallies.hs = new Tally(HS_WRITES);
	tallies.dv = new Tally(DV_WRITES);
};
sf.server.onResponse((req, reply) => tallies.sf.add(req, reply.status));
hs.server.onResponse((req, reply) => tallies.hs.add(req, reply.status));
dv.server.onResponse((req, reply) => tallies.dv.add(req, reply.status));

type Fields = Record<string, string | null>;
const fieldsOf = (side: SimSide, i: number): Fields => {
	const p = person(i);
	const names = FIELD_NAMES[side];
	return Object.fromEntries(
		Object.entries(p)
			.map(([k, v]) => [names[k as keyof typeof p], v])
			.filter(([name]) => name !== ''),
	);
};

/** The live records of a side: id and fields. */
function records(side: SimSide): Array<{ id: string; fields: Record<string, unknown> }> {
	if (side === 'sf' || side === 'sfLead')
		return sf.table(side === 'sf' ? 'Contact' : 'Lead').collection.list();
	if (side === 'hs') return hs.collection('contacts').list();
	return dv.collection('contact').list();
}

/**
 * Seeds people `from..to` on a side, 1,000 per second of the CRM's clock (the clock moves on a second after each
 * thousand), as records changed over time: a million stamped within one second would make every page of Salesforce's
 * change feed re-read the same second's records to skip those already read.
 */
function seed(side: SimSide, from: number, to: number): number {
	const started = performance.now();
	for (let i = from; i < to; i++) {
		if (i > from && (i - from) % 1000 === 0) clock.advance(1000);
		const f = fieldsOf(side, i);
		if (side === 'sf') sf.table('Contact').insert(f);
		else if (side === 'sfLead') sf.table('Lead').insert(f);
		else if (side === 'hs') hs.insertDirect('contacts', f);
		else dv.createDirect('contact', f);
	}
	return (performance.now() - started) / 1000;
}

/** Sets `field` (a common name) to `value` on every `1/share`-th record of a side (ids in store order). */
function edit(side: SimSide, percent: number, field: string, value: string): number {
	const name = FIELD_NAMES[side][field as keyof ReturnType<typeof person>];
	const all = records(side);
	const step = 100 / percent;
	let edited = 0;
	for (let k = 0; Math.floor(k * step) < all.length; k++) {
		const { id } = all[Math.floor(k * step)];
		if (side === 'sf' || side === 'sfLead')
			sf.table(side === 'sf' ? 'Contact' : 'Lead').patch(id, { [name]: value });
		else if (side === 'hs') hs.updateDirect('contacts', id, { [name]: value });
		else dv.updateDirect('contact', id, { [name]: value });
		edited++;
	}
	return edited;
}

/** Records per side and people missing from / doubled on each side (expected: people `from..to`). */
function counts(sides: SimSide[], from: number, to: number) {
	const expected = Array.from({ length: to - from }, (_, k) => person(from + k).email);
	return Object.fromEntries(
		sides.map((side) => {
			const emailField = FIELD_NAMES[side].email;
			const found = records(side).map((r) => String(r.fields[emailField]).toLowerCase());
			return [side, { records: found.length, ...lostAndDuplicates(expected, found) }];
		}),
	);
}

function stats() {
	const one = (t: Tally, windowMs: number) => ({
		calls: t.calls,
		writes: t.writes,
		http429: t.http429,
		innerOperations: t.inner,
		byKind: t.byKind,
		peakPerWindow: t.peak(windowMs),
		windowMs,
	});
	return {
		sf: one(tallies.sf, 86_400_000),
		hs: one(tallies.hs, 10_000),
		dv: one(tallies.dv, DEFAULT_SERVICE_PROTECTION.windowMs),
		childRssMb: process.memoryUsage().rss / 2 ** 20,
	};
}

type Message = { id: number; cmd: string; [k: string]: unknown };
const handlers: Record<string, (m: Message) => unknown> = {
	start: async () => ({ sf: await sf.start(), hs: await hs.start(), dv: await dv.start() }),
	seed: (m) => seed(m.side as SimSide, Number(m.from), Number(m.to)),
	edit: (m) => edit(m.side as SimSide, Number(m.percent), String(m.field), String(m.value)),
	advance: (m) => clock.advance(Number(m.ms)),
	counts: (m) => counts(m.sides as SimSide[], Number(m.from), Number(m.to)),
	stats,
	resetStats: () => resetTallies(),
	stop: async () => {
		await Promise.all([sf.stop(), hs.stop(), dv.stop()]);
		setImmediate(() => process.exit(0));
	},
};

process.on('message', (m: Message) => {
	void (async () => {
		try {
			const result = await handlers[m.cmd](m);
			process.send?.({ id: m.id, ok: true, result });
		} catch (error) {
			process.send?.({ id: m.id, ok: false, error: String((error as Error).stack ?? error) });
		}
	})();
});
// The parent gone (killed, crashed): nothing left to serve.
process.on('disconnect', () => process.exit(0));
