import type { IDisplayOptions, INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

/** The `show` part of a parameter's displayOptions. */
export type Show = NonNullable<IDisplayOptions['show']>;

/** n8n's usual Return All + Limit pair, shown for the given resource/operation. */
export function limitProperties(show: Show): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions: { show },
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { show: { ...show, returnAll: [false] } },
		},
	];
}

/**
 * The per-request timeout option (inside an operation's Options collection). A write whose answer does not come
 * in time may still have been applied: the connector settles it as after a dropped connection.
 */
export const timeoutOption: INodeProperties = {
	displayName: 'Timeout',
	name: 'timeout',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 60000,
	description:
		'Milliseconds to wait for each API answer. A write whose answer does not arrive in time may still have been applied: it is looked up by its unique field where there is one, else reported as outcome unknown (never silently re-sent).',
};

/** A node's credentials, one per choice of its Authentication parameter (`{ choice: credential type }`), in order. */
export function credentialsByAuthentication(
	choices: Record<string, string>,
): INodeCredentialDescription[] {
	return Object.entries(choices).map(([choice, name]) => ({
		name,
		required: true,
		displayOptions: { show: { authentication: [choice] } },
	}));
}

/** The Options collection of a write operation (Timeout), shown for resource Record. */
export function writeOptions(operation: string): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [timeoutOption],
		displayOptions: { show: { resource: ['record'], operation: [operation] } },
	};
}
