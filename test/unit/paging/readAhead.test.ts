/** paginate()'s `readAhead`: the next page is requested while the consumer uses the current one, still in order. */
import { paginate, toArray } from '../../../core/paging';

interface Page {
	items: number[];
	next?: string;
}

/** Pages `p0`…`p<n-1>` of `size` items; records every request and whether it overlapped another. */
function api(n: number, size = 2, fail?: string) {
	const calls: string[] = [];
	let inFlight = 0;
	let maxInFlight = 0;
	const fetchPage = async (token: string | undefined): Promise<Page> => {
		const t = token ?? 'p0';
		calls.push(t);
		inFlight++;
		maxInFlight = Math.max(maxInFlight, inFlight);
		await new Promise<void>((resolve) => setImmediate(resolve));
		inFlight--;
		if (t === fail) throw new Error(`page ${t} failed`);
		const i = Number(t.slice(1));
		return {
			items: Array.from({ length: size }, (_, k) => i * size + k),
			...(i + 1 < n ? { next: `p${i + 1}` } : {}),
		};
	};
	return { fetchPage, calls, maxInFlight: () => maxInFlight };
}

const paged = (a: ReturnType<typeof api>, readAhead?: () => boolean) =>
	paginate<Page, number, string>({
		fetchPage: a.fetchPage,
		items: (p) => p.items,
		next: (p) => p.next,
		readAhead,
	});

describe('paginate() readAhead', () => {
	it('requests page k+1 when page k arrives, before the consumer asks; one request at a time, in order', async () => {
		const a = api(3);
		const pages = paged(a, () => true);
		expect((await pages.next()).value).toEqual([0, 1]);
		expect(a.calls).toEqual(['p0', 'p1']); // p1 already requested while the consumer holds p0
		expect(await toArray(pages)).toEqual([
			[2, 3],
			[4, 5],
		]);
		expect(a.calls).toEqual(['p0', 'p1', 'p2']); // nothing after the last page
		expect(a.maxInFlight()).toBe(1);
	});

	it('without it (or when it answers false) page k+1 waits for the consumer', async () => {
		for (const readAhead of [undefined, () => false]) {
			const a = api(3);
			const pages = paged(a, readAhead);
			await pages.next();
			await new Promise<void>((resolve) => setImmediate(resolve));
			expect(a.calls).toEqual(['p0']);
			await toArray(pages);
			expect(a.calls).toEqual(['p0', 'p1', 'p2']);
		}
	});

	it('a failed page read ahead fails the stream when the consumer reaches it; abandoned, it fails nothing', async () => {
		const a = api(3, 2, 'p1');
		const pages = paged(a, () => true);
		expect((await pages.next()).value).toEqual([0, 1]);
		await expect(pages.next()).rejects.toThrow('page p1 failed');

		const b = api(3, 2, 'p1');
		const unhandled = jest.fn();
		process.on('unhandledRejection', unhandled);
		try {
			const stream = paged(b, () => true);
			await stream.next();
			await stream.return(undefined);
			await new Promise<void>((resolve) => setTimeout(resolve, 10));
			expect(b.calls).toEqual(['p0', 'p1']);
			expect(unhandled).not.toHaveBeenCalled();
		} finally {
			process.off('unhandledRejection', unhandled);
		}
	});
});
