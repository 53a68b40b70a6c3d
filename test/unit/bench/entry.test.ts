/** The benchmark entries' shared pieces: lost/duplicate counting from a final state, and the table line. */
import { entryLine, lostAndDuplicates, noFigures } from '../../../bench/entry';

describe('lostAndDuplicates', () => {
	it('counts expected names missing from the final state and extra copies of present ones', () => {
		expect(lostAndDuplicates(['a', 'b', 'c', 'd'], ['a', 'a', 'a', 'c', 'x'])).toEqual({
			lost: 2,
			duplicates: 2,
		});
	});

	it('ignores records nobody expected (they are neither lost nor duplicates)', () => {
		expect(lostAndDuplicates(['a'], ['a', 'z', 'z'])).toEqual({ lost: 0, duplicates: 0 });
	});
});

describe('entryLine', () => {
	it('prints unknown figures as "-" and known ones rounded', () => {
		const line = entryLine({ ...noFigures('x', 1.234), records: 10, recordsPerSecond: 8.1049 });
		expect(line.split('|').map((c) => c.trim())).toEqual([
			'x',
			'10',
			'1.23',
			'8.1',
			'-',
			'-',
			expect.stringMatching(/^\d+ MB$/),
			'-',
			'-',
		]);
	});
});
