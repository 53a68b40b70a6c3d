/**
 * The shared "since" parser of the Get Changes operations (core/connectors/watermark.ts): watermarks handed out now
 * (JSON text or object), the forms earlier versions handed out (`time|ids` text, `{ timestamp, ids }`), times, and the
 * error for anything else; and how a parsed "since" becomes a connector's watermark (a fake connector counts the calls).
 */
import type { ChangeFeedKind, CrmConnector, Watermark } from '../../../core/connectors/contract';
import {
	formatWatermark,
	parseSince,
	parseTime,
	resolveSince,
	timeMs,
} from '../../../core/connectors/watermark';
import { isCrmError } from '../../../core/http/errors';

const T = Date.UTC(2025, 0, 1);

describe('parseSince', () => {
	it('reads a watermark handed out now back exactly, as JSON text or as an object', () => {
		const salesforce = { ts: '2024-03-05T10:15:00.000+0000', id: '003000000000001AAA' };
		const hubspot = { modifiedAt: T, modifiedIds: ['7', '8'], archivedAt: T, archivedIds: [] };
		for (const w of [salesforce, hubspot] as Watermark[]) {
			expect(parseSince(formatWatermark(w), 'Since')).toEqual({ watermark: w });
			expect(parseSince(` ${formatWatermark(w)} `, 'Since')).toEqual({ watermark: w });
			expect(parseSince(w, 'Since')).toEqual({ watermark: w });
		}
	});

	it('reads the positions earlier versions handed out: Salesforce ts|id, HubSpot ISO|ids and { timestamp, ids }', () => {
		expect(parseSince('2024-03-05T10:15:00.000+0000|003000000000001AAA', 'Since')).toEqual({
			at: Date.UTC(2024, 2, 5, 10, 15),
			after: ['003000000000001AAA'],
		});
		// A Salesforce watermark of a time with no record handed out yet.
		expect(parseSince('2024-03-05T10:15:00.000Z|', 'Since')).toEqual({
			at: Date.UTC(2024, 2, 5, 10, 15),
			after: [],
		});
		expect(parseSince('2025-01-01T00:00:00.005Z|101, 102', 'Changed Since')).toEqual({
			at: T + 5,
			after: ['101', '102'],
		});
		expect(parseSince(`{"timestamp":${T},"ids":["7"]}`, 'Changed Since')).toEqual({
			at: T,
			after: ['7'],
		});
		expect(parseSince({ timestamp: '2025-01-01T00:00:00Z', ids: [9] }, 'Changed Since')).toEqual({
			at: T,
			after: ['9'],
		});
	});

	it('reads a time: ISO 8601 (with a +hhmm offset too), epoch milliseconds as digits or a number, a Date', () => {
		expect(parseSince('2025-01-01T00:00:00Z', 'Since')).toEqual({ at: T, after: [] });
		expect(parseSince('2025-01-01T01:00:00.000+0100', 'Since')).toEqual({ at: T, after: [] });
		expect(parseSince(String(T), 'Since')).toEqual({ at: T, after: [] });
		expect(parseSince(T, 'Since')).toEqual({ at: T, after: [] });
		expect(parseSince(new Date(T), 'Since')).toEqual({ at: T, after: [] });
		expect(timeMs('not a time')).toBeNaN();
	});

	it('refuses anything else with an error naming the parameter and the fix', () => {
		for (const bad of [
			'',
			'   ',
			'yesterday-ish',
			'nope|101',
			'{"timestamp":"soon"}',
			'{broken',
			'[1]',
			{},
			[],
			null,
			undefined,
			Number.NaN,
		]) {
			let error: unknown;
			try {
				parseSince(bad, 'Changed Since');
			} catch (e) {
				error = e;
			}
			expect(isCrmError(error)).toBe(true);
			const e = error as { message: string; hint?: string; kind: string };
			expect(e.kind).toBe('validation');
			expect(e.message).toMatch(
				/^"Changed Since" must be a watermark from an earlier run or a time/,
			);
			expect(e.hint).toMatch(/"Changed Since".*\$json\.watermark.*ISO 8601.*epoch milliseconds/);
		}
	});
});

describe('parseTime', () => {
	it('reads ISO 8601 or epoch ms; anything else names the parameter and the fix', () => {
		expect(parseTime('2025-01-01T00:00:00Z', 'Changed Until')).toBe(T);
		expect(parseTime(String(T + 7), 'Changed Until')).toBe(T + 7);
		expect(() => parseTime('tomorrow', 'Changed Until')).toThrow(
			/^"Changed Until" must be a time, got "tomorrow"$/,
		);
		try {
			parseTime('', 'Changed Until');
		} catch (e) {
			expect((e as { hint?: string }).hint).toMatch(
				/"Changed Until".*ISO 8601.*epoch milliseconds/,
			);
		}
		expect.assertions(4);
	});
});

describe('resolveSince', () => {
	const fake = () => {
		const calls: Array<{ at: unknown; kind?: ChangeFeedKind; after?: string[] }> = [];
		const connector = {
			system: 'fake',
			async startWatermark(
				_type: string,
				at: 'now' | number | Date,
				options: { kind?: ChangeFeedKind; after?: string[] } = {},
			): Promise<Watermark> {
				calls.push({ at, kind: options.kind, after: options.after });
				return { t: Number(at), ids: options.after ?? [] };
			},
		} as unknown as CrmConnector;
		return { connector, calls };
	};

	it('hands a stored watermark back as it is, without asking the connector', async () => {
		const { connector, calls } = fake();
		const w = { ts: '2024-03-05T10:15:00.000Z', id: 'x' };
		expect(await resolveSince(connector, 'Contact', { watermark: w }, { kind: 'updated' })).toBe(w);
		expect(calls).toEqual([]);
	});

	it("turns a time (and the ids already handed out at it) into the connector's watermark of the feed", async () => {
		const { connector, calls } = fake();
		expect(
			await resolveSince(connector, 'Contact', { at: T, after: [] }, { kind: 'created' }),
		).toEqual({
			t: T,
			ids: [],
		});
		expect(
			await resolveSince(
				connector,
				'Contact',
				{ at: T + 5, after: ['1', '2'] },
				{ kind: 'updated' },
			),
		).toEqual({ t: T + 5, ids: ['1', '2'] });
		expect(calls).toEqual([
			{ at: T, kind: 'created', after: undefined },
			{ at: T + 5, kind: 'updated', after: ['1', '2'] },
		]);
	});
});
