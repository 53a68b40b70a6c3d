/**
 * A small seeded pseudo-random generator (mulberry32), so fault probabilities, latency jitter, seed
 * data and ids are reproducible from a seed.
 */
export class SeededRandom {
	private state: number;

	constructor(seed = 1) {
		this.state = seed >>> 0;
	}

	/** A float in [0, 1). */
	next(): number {
		this.state = (this.state + 0x6d2b79f5) >>> 0;
		let t = this.state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	}

	/** An integer in [min, max] (both inclusive). */
	int(min: number, max: number): number {
		return min + Math.floor(this.next() * (max - min + 1));
	}

	/** One element of a non-empty array. */
	pick<T>(items: readonly T[]): T {
		if (items.length === 0) throw new RangeError('SeededRandom.pick: empty array');
		return items[Math.floor(this.next() * items.length)];
	}

	/** True with probability `p` (0..1). */
	chance(p: number): boolean {
		if (p >= 1) return true;
		if (p <= 0) return false;
		return this.next() < p;
	}

	/** `length` random bytes. */
	bytes(length: number): Buffer {
		const out = Buffer.alloc(length);
		for (let i = 0; i < length; i++) out[i] = Math.floor(this.next() * 256);
		return out;
	}
}
