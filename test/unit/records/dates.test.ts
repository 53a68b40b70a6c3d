import { compileDateFormat, formatDateInZone, parseDate } from '../../../core/records';

const iso = (value: unknown, timeZone?: string) => {
	const parsed = parseDate(value, { timeZone });
	if (!parsed.ok) throw new Error(parsed.reason);
	return parsed.date.toISOString();
};

describe('dates', () => {
	it('reads wall-clock times across DST transitions', () => {
		// Berlin springs forward at 02:00 on 2024-03-31: 02:30 does not exist and is shifted by the gap (= 03:30 CEST).
		expect(iso('2024-03-31 02:30', 'Europe/Berlin')).toBe('2024-03-31T01:30:00.000Z');
		expect(iso('2024-03-31 01:59', 'Europe/Berlin')).toBe('2024-03-31T00:59:00.000Z');
		expect(iso('2024-03-31 03:00', 'Europe/Berlin')).toBe('2024-03-31T01:00:00.000Z');
		// Falls back at 03:00 on 2024-10-27: 02:30 happens twice; the earlier one (CEST, +02:00) is taken.
		expect(iso('2024-10-27 02:30', 'Europe/Berlin')).toBe('2024-10-27T00:30:00.000Z');
		expect(iso('2024-10-27 01:30', 'Europe/Berlin')).toBe('2024-10-26T23:30:00.000Z');
		// New York: gap at 02:00 on 2024-03-10, overlap at 01:00-02:00 on 2024-11-03.
		expect(iso('2024-03-10 02:30', 'America/New_York')).toBe('2024-03-10T07:30:00.000Z');
		expect(iso('2024-11-03 01:30', 'America/New_York')).toBe('2024-11-03T05:30:00.000Z');
		expect(iso('2024-10-27 04:00', 'Europe/Berlin')).toBe('2024-10-27T03:00:00.000Z');
		// Half-hour zones.
		expect(iso('2024-03-05 10:00', 'Asia/Kolkata')).toBe('2024-03-05T04:30:00.000Z');
	});

	it('formats a calendar date in a zone', () => {
		expect(formatDateInZone(new Date('2024-03-05T23:30:00Z'), 'Asia/Tokyo')).toBe('2024-03-06');
		expect(formatDateInZone(new Date('2024-03-05T23:30:00Z'))).toBe('2024-03-05');
	});

	it('compiles formats and rejects unknown tokens and formats without a year', () => {
		expect(() => compileDateFormat('dd/MM')).toThrow(
			'it has no year (add yyyy or yy, or use X / x for epoch seconds / milliseconds)',
		);
		expect(() => compileDateFormat("yyyy-MM-dd'T")).toThrow(
			'unterminated quoted text at position 10',
		);
		const withOffset = compileDateFormat('yyyy-MM-dd HH:mm ZZ');
		const parsed = withOffset.parse('2024-03-05 10:00 +05:30', 'Europe/Berlin');
		expect(parsed.ok && parsed.date.toISOString()).toBe('2024-03-05T04:30:00.000Z');
		const epoch = compileDateFormat('X').parse('1709633700');
		expect(epoch.ok && epoch.date.toISOString()).toBe('2024-03-05T10:15:00.000Z');
		const twelve = compileDateFormat('yyyy-MM-dd hh:mm a');
		expect(
			twelve.parse('2024-03-05 12:05 am').ok &&
				(twelve.parse('2024-03-05 12:05 am') as { date: Date }).date.toISOString(),
		).toBe('2024-03-05T00:05:00.000Z');
		expect(twelve.parse('2024-03-05 13:05 pm')).toEqual({
			ok: false,
			reason: 'hour 13 does not exist on a 12-hour clock',
		});
	});
});
