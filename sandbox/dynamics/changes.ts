/**
 * Change tracking of the Dataverse simulator (`Prefer: odata.track-changes`, `@odata.deltaLink`, `$deltatoken`).
 *
 * The tracker keeps, per table, a log of `{version, id, deleted}` entries fed by `Store.onChange`: creates and updates
 * carry the record's org-wide `versionnumber`, a delete takes a fresh version (Dataverse's rowversion grows with
 * deletes too), so one monotonically increasing number orders every change. A delta token is `{version}!{date}`
 * (`919042!08/22/2017 08:10:44`, UTC, as Dataverse's look): the changes after `version`. A delta answer is computed
 * over the log range `(token, upTo]` where `upTo` is the version when its first page was built, so pages of one delta
 * are stable and changes made while paging fall after `upTo` and come with the next token.
 *
 * Memory is bounded: entries older than the expiry window are dropped (a token that old is refused anyway), and
 * each table keeps at most {@link MAX_LOG} entries; a token older than the oldest kept entry is refused as expired.
 */
import { HttpError, type Reply, type SandboxRequest, type Store } from '../kit';
import type { DvData, Rec } from './data';
import { MAX_PAGE_SIZE, annotationsApplied, includeAnnotations } from './query';
import type { TableDef } from './schema';
import { API_PATH, DV, odataJson, preferences } from './wire';

/** Entries kept per table before the oldest are dropped (tokens before them then answer "expired"). */
export const MAX_LOG = 100_000;
const DAY_MS = 86_400_000;
/** Query options Dataverse refuses together with change tracking (documented message). */
const REFUSED = ['$filter', '$orderby', '$expand', '$top'];

interface LogEntry {
	version: number;
	id: string;
	deleted: boolean;
	at: number;
}

/** One change of a delta answer: the record's last change in the range. */
interface Change {
	id: string;
	version: number;
	deleted: boolean;
}

export class ChangeTracker {
	private readonly logs = new Map<string, LogEntry[]>();
	/** Per table: the highest version dropped from its log (tokens below it cannot be answered). */
	private readonly floors = new Map<string, number>();

	constructor(
		private readonly data: DvData,
		store: Store,
		private readonly expiryDays = 7,
	) {
		store.onChange((e) => {
			const t = data.byLogical(e.type);
			if (!t || (e.kind !== 'created' && e.kind !== 'updated' && e.kind !== 'deleted')) return;
			const rec = store.collection(e.type).get(e.id, { includeDeleted: true });
			const version =
				e.kind === 'deleted'
					? data.nextVersion()
					: Number(rec?.fields.versionnumber ?? data.nextVersion());
			this.append(t, { version, id: e.id, deleted: e.kind === 'deleted', at: e.at });
		});
	}

	/** Every entry of a table's log (for assertions in tests). */
	log(logicalName: string): readonly LogEntry[] {
		return this.logs.get(logicalName) ?? [];
	}

	/** Forgets the log (simulator reset): every token issued before is refused as expired. */
	clear(): void {
		this.logs.clear();
		for (const t of this.data.tables) this.floors.set(t.logicalName, this.data.currentVersion);
	}

	private append(t: TableDef, entry: LogEntry): void {
		const log = this.logs.get(t.logicalName) ?? [];
		this.logs.set(t.logicalName, log);
		log.push(entry);
		const cutoff = this.data.clock.now() - this.expiryDays * DAY_MS;
		let drop = 0;
		while (drop < log.length && (log[drop].at < cutoff || log.length - drop > MAX_LOG)) drop++;
		if (drop > 0) {
			this.floors.set(t.logicalName, log[drop - 1].version);
			log.splice(0, drop);
		}
	}

	/** A token for the current version at the current time. */
	token(version = this.data.currentVersion, at = this.data.clock.now()): string {
		const d = new Date(at);
		const p = (n: number) => String(n).padStart(2, '0');
		const date = `${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
		return `${version}!${date}`;
	}

	/** `Prefer: odata.track-changes` on a table without change tracking, or with a refused option → 400. */
	checkRequest(req: SandboxRequest, t: TableDef): void {
		if (t.changeTracking === false)
			throw DV.bad(
				`Change tracking is not enabled for the entity '${t.logicalName}'. Enable 'Track changes' on the table to use odata.track-changes.`,
			);
		const refused = REFUSED.find((o) => req.query.has(o));
		if (refused)
			throw DV.bad(
				`The "${refused}" query parameter isn't supported when Change Tracking is enabled.`,
				'0x80060888',
			);
	}

	/** Whether a collection GET asks for change tracking: the preference, or a tracking page cookie. */
	wants(req: SandboxRequest): boolean {
		return (
			preferences(req.headers.prefer).has('odata.track-changes') ||
			/istracking="True"/.test(req.query.get('$skiptoken') ?? '')
		);
	}

	/** The delta link of a query (its other options as they came) for `token`. */
	deltaLink(req: SandboxRequest, t: TableDef, token: string): string {
		const parts: string[] = [];
		for (const [k, v] of req.query)
			if (k !== '$skiptoken' && k !== '$deltatoken') parts.push(`${k}=${encodeValue(v)}`);
		parts.push(`$deltatoken=${encodeToken(token)}`);
		return `${req.baseUrl}${API_PATH}/${t.entitySetName}?${parts.join('&')}`;
	}

	/** Reads a `$deltatoken`: its version and issue time; malformed, future or expired tokens are refused. */
	private parseToken(t: TableDef, raw: string): { version: number; at: number } {
		const m = /^(\d+)!(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(raw);
		const version = m ? Number(m[1]) : NaN;
		if (!m || version > this.data.currentVersion)
			throw DV.bad(`The $deltatoken '${raw}' is not valid.`, '0x80044352');
		const at = Date.UTC(+m[4], +m[2] - 1, +m[3], +m[5], +m[6], +m[7]);
		const tooOld = this.data.clock.now() - at > this.expiryDays * DAY_MS;
		if (tooOld || version < (this.floors.get(t.logicalName) ?? 0))
			throw new HttpError(
				400,
				'Version stamp associated with the client has expired. Please perform a full sync.',
				'0x80044352',
			);
		return { version, at };
	}

	/** The last change per record in `(from, upTo]`: new or updated rows by version, then deletions. */
	private changes(t: TableDef, from: number, upTo: number): Change[] {
		const last = new Map<string, Change>();
		for (const e of this.log(t.logicalName))
			if (e.version > from && e.version <= upTo)
				last.set(e.id, { id: e.id, version: e.version, deleted: e.deleted });
		const all = [...last.values()].sort((a, b) => a.version - b.version);
		return [...all.filter((c) => !c.deleted), ...all.filter((c) => c.deleted)];
	}

	/** `GET /{set}/$count?$deltatoken=…`: how many changes the delta holds. */
	count(req: SandboxRequest, t: TableDef): number {
		const { version } = this.parseToken(t, req.query.get('$deltatoken')!);
		return this.changes(t, version, this.data.currentVersion).length;
	}

	/** `GET /{set}?$select=…&$deltatoken=…` (and its pages). */
	delta(req: SandboxRequest, t: TableDef, select: string[] | undefined): Reply {
		this.checkRequest(req, t);
		const q = req.query;
		const { version } = this.parseToken(t, q.get('$deltatoken')!);
		const prefs = preferences(req.headers.prefer);
		const asked = prefs.has('odata.maxpagesize')
			? Number(prefs.get('odata.maxpagesize'))
			: undefined;
		const pageSize = Math.min(
			asked !== undefined && Number.isInteger(asked) && asked > 0 ? asked : MAX_PAGE_SIZE,
			MAX_PAGE_SIZE,
		);
		// A later page: the range's upper bound, the time it was taken and the position come in the cookie.
		const skip = q.get('$skiptoken');
		const cookie = skip !== null ? parseDeltaCookie(skip) : undefined;
		if (skip !== null && !cookie) throw DV.bad('The $skiptoken is not valid.', '0x80060888');
		const upTo = cookie?.upTo ?? this.data.currentVersion;
		const at = cookie?.at ?? this.data.clock.now();
		const all = this.changes(t, version, upTo);
		const rest = cookie ? all.slice(cookie.served) : all;
		const page = rest.slice(0, pageSize);

		const base = `${req.baseUrl}${API_PATH}/$metadata#${t.entitySetName}`;
		const annotate = includeAnnotations(req) !== '';
		const value: unknown[] = [];
		for (const c of page) {
			if (c.deleted) {
				value.push({ '@odata.context': `${base}/$deletedEntity`, id: c.id, reason: 'deleted' });
				continue;
			}
			// Deleted after the range's upper bound: the next token reports the deletion.
			const rec: Rec | undefined = this.data.coll(t).get(c.id);
			if (rec) value.push(this.data.toWire(t, rec, select, annotate));
		}
		const cols = select ? `(${select.join(',')})` : '';
		const body: Record<string, unknown> = { '@odata.context': `${base}${cols}/$delta` };
		if (q.get('$count') === 'true') body['@odata.count'] = Math.min(all.length, MAX_PAGE_SIZE);
		body.value = value;
		const served = (cookie?.served ?? 0) + page.length;
		if (served < all.length) {
			const parts: string[] = [];
			for (const [k, v] of q) if (k !== '$skiptoken') parts.push(`${k}=${encodeValue(v)}`);
			const next = `<cookie pagenumber="${(cookie?.page ?? 1) + 1}" istracking="True" upto="${this.token(upTo, at)}" served="${served}" />`;
			parts.push(`$skiptoken=${encodeValue(next)}`);
			body['@odata.nextLink'] = `${req.baseUrl}${API_PATH}/${t.entitySetName}?${parts.join('&')}`;
		} else body['@odata.deltaLink'] = this.deltaLink(req, t, this.token(upTo, at));
		const applied: string[] = [];
		if (asked !== undefined) applied.push(`odata.maxpagesize=${pageSize}`);
		if (annotate) applied.push(annotationsApplied(req));
		return odataJson(
			body,
			200,
			applied.length > 0 ? { 'Preference-Applied': applied.join(',') } : {},
		);
	}
}

/** The position of a delta page: `<cookie pagenumber="2" istracking="True" upto="{token}" served="N" />`. */
function parseDeltaCookie(
	raw: string,
): { page: number; upTo: number; at: number; served: number } | undefined {
	const m =
		/pagenumber="(\d+)".*upto="(\d+)!(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})".*served="(\d+)"/.exec(
			raw,
		);
	if (!m) return undefined;
	const at = Date.UTC(+m[5], +m[3] - 1, +m[4], +m[6], +m[7], +m[8]);
	return { page: Number(m[1]) - 1, upTo: Number(m[2]), at, served: Number(m[9]) };
}

/** Percent-encodes a query value, leaving the characters OData keeps readable (`$ , ( ) ' =`). */
function encodeValue(v: string): string {
	return encodeURIComponent(v).replace(/%24/g, '$').replace(/%2C/g, ',').replace(/%3D/g, '=');
}

/** Dataverse's encoding of a token in a link: `919042%2108%2f22%2f2017%2008%3a10%3a44` (lower-case escapes). */
export function encodeToken(token: string): string {
	return encodeURIComponent(token)
		.replace(/!/g, '%21')
		.replace(/%[0-9A-F]{2}/g, (x) => x.toLowerCase());
}
