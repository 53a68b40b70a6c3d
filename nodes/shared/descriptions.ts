import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

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
