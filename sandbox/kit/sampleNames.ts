/**
 * Sample words every simulator's seed draws from (deterministic through its SeededRandom). Each seed takes what it
 * needs and adds its own entries (e.g. an apostrophe name that exercises SOQL escaping), so the seeded records stay
 * exactly what they were.
 */
export const SAMPLE_FIRST_NAMES: readonly string[] = [
	'Ada',
	'Grace',
	'Alan',
	'Edsger',
	'Barbara',
	'Donald',
	'Frances',
	'Ken',
	'Margaret',
	'Dennis',
	'Radia',
	'Tim',
	'Hedy',
	'Linus',
	'Katherine',
	'Guido',
];

/** Fifteen last names; seeds add a sixteenth of their own. */
export const SAMPLE_LAST_NAMES: readonly string[] = [
	'Lovelace',
	'Hopper',
	'Turing',
	'Dijkstra',
	'Liskov',
	'Knuth',
	'Allen',
	'Thompson',
	'Hamilton',
	'Ritchie',
	'Perlman',
	'Berners-Lee',
	'Lamarr',
	'Torvalds',
	'Johnson',
];

export const SAMPLE_COMPANY_WORDS: readonly string[] = [
	'Acme',
	'Globex',
	'Initech',
	'Umbrella',
	'Hooli',
	'Vandelay',
	'Stark',
	'Wayne',
	'Tyrell',
	'Cyberdyne',
	'Soylent',
	'Wonka',
];

/** Company name endings. */
export const SAMPLE_COMPANY_KINDS: readonly string[] = [
	'Labs',
	'Industries',
	'Systems',
	'Logistics',
	'Analytics',
	'Foods',
];
