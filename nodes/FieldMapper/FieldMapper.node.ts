import type { INodeTypeBaseDescription, IVersionedNodeType } from 'n8n-workflow';
import { VersionedNodeType } from 'n8n-workflow';

import { FieldMapperV1 } from './v1/FieldMapperV1.node';

/**
 * Field Mapper: renames, converts and validates item fields, from one schema (e.g. a web form or a CRM)
 * to another. Versioned from the start so a breaking change becomes version 2 and old workflows keep v1.
 */
export class FieldMapper extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'Field Mapper',
			name: 'fieldMapper',
			icon: 'file:fieldMapper.svg',
			group: ['transform'],
			description:
				'Map item fields from one schema to another: rename, convert, look up and validate',
			defaultVersion: 1,
		};

		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new FieldMapperV1(baseDescription),
		};

		super(nodeVersions, baseDescription);
	}
}
