/** Salesforce records as n8n item JSON (the Salesforce node and the Salesforce Trigger). */
import type { IDataObject } from 'n8n-workflow';

/** A record as item JSON (without the `attributes` envelope). */
export function recordJson(record: Record<string, unknown>): IDataObject {
	const out: IDataObject = {};
	for (const [k, v] of Object.entries(record)) {
		if (k === 'attributes') continue;
		out[k] =
			v !== null && typeof v === 'object' && !Array.isArray(v) && 'attributes' in (v as object)
				? recordJson(v as Record<string, unknown>)
				: (v as IDataObject[string]);
	}
	return out;
}
