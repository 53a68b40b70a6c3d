import type { ILoadOptionsFunctions } from 'n8n-workflow';

/** The object chosen in the node (resource locator value or plain name). */
export function currentObject(ctx: ILoadOptionsFunctions): string {
	const value = ctx.getCurrentNodeParameter('object', { extractValue: true });
	return String(value ?? '').trim();
}
