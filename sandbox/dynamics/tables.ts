/**
 * The tables the Dataverse simulator serves: accounts, contacts (alternate key `contact_emailaddress1`), leads,
 * opportunities, read-only system users and the custom table `new_project`, with the columns, option sets and lookup
 * navigation properties each has (a subset of the real tables, named as Dataverse names them).
 */
import type { AttrDef, AttrType, TableDef } from './schema';

const str = (
	logicalName: string,
	displayName: string,
	maxLength = 100,
	required = false,
): AttrDef => ({
	logicalName,
	type: 'String',
	displayName,
	maxLength,
	required: required ? 'ApplicationRequired' : 'None',
});
const sys = (logicalName: string, type: AttrType, displayName: string): AttrDef => ({
	logicalName,
	type,
	displayName,
	readOnly: true,
});
const pk = (logicalName: string, displayName: string): AttrDef => ({
	logicalName,
	type: 'Uniqueidentifier',
	displayName,
	createOnly: true,
	required: 'SystemRequired',
});
const stateStatus = (statusOptions: Array<[number, string]>): AttrDef[] => [
	{
		logicalName: 'statecode',
		type: 'State',
		displayName: 'Status',
		required: 'SystemRequired',
		options: [
			[0, 'Active'],
			[1, 'Inactive'],
		],
	},
	{
		logicalName: 'statuscode',
		type: 'Status',
		displayName: 'Status Reason',
		options: statusOptions,
	},
];
/** Columns every table has. */
const common = (): AttrDef[] => [
	sys('createdon', 'DateTime', 'Created On'),
	sys('modifiedon', 'DateTime', 'Modified On'),
	sys('versionnumber', 'BigInt', 'Version Number'),
	{
		logicalName: 'ownerid',
		type: 'Owner',
		displayName: 'Owner',
		targets: { systemuser: 'ownerid' },
		required: 'SystemRequired',
	},
];

export const INDUSTRY_OPTIONS: Array<[number, string]> = [
	[1, 'Accounting'],
	[2, 'Agriculture and Non-petrol Natural Resource Extraction'],
	[3, 'Broadcasting Printing and Publishing'],
	[4, 'Brokers'],
	[5, 'Building Supply Retail'],
	[6, 'Business Services'],
	[7, 'Consulting'],
	[8, 'Consumer Services'],
];

/** The standard and custom tables, in a fixed order. */
export function tables(): TableDef[] {
	return [
		{
			logicalName: 'account',
			entitySetName: 'accounts',
			primaryId: 'accountid',
			primaryName: 'name',
			displayName: 'Account',
			displayCollectionName: 'Accounts',
			objectTypeCode: 1,
			isCustom: false,
			attributes: [
				pk('accountid', 'Account'),
				str('name', 'Account Name', 160, true),
				{ ...str('emailaddress1', 'Email', 100), format: 'Email' },
				{ ...str('telephone1', 'Main Phone', 50), format: 'Phone' },
				str('address1_city', 'Address 1: City', 80),
				{
					logicalName: 'industrycode',
					type: 'Picklist',
					displayName: 'Industry',
					options: INDUSTRY_OPTIONS,
				},
				{ logicalName: 'revenue', type: 'Money', displayName: 'Annual Revenue' },
				{
					logicalName: 'primarycontactid',
					type: 'Lookup',
					displayName: 'Primary Contact',
					targets: { contact: 'primarycontactid' },
				},
				...stateStatus([
					[1, 'Active'],
					[2, 'Inactive'],
				]),
				...common(),
			],
			keys: [],
		},
		{
			logicalName: 'contact',
			entitySetName: 'contacts',
			primaryId: 'contactid',
			primaryName: 'fullname',
			displayName: 'Contact',
			displayCollectionName: 'Contacts',
			objectTypeCode: 2,
			isCustom: false,
			attributes: [
				pk('contactid', 'Contact'),
				str('firstname', 'First Name', 50),
				str('lastname', 'Last Name', 50, true),
				{ ...sys('fullname', 'String', 'Full Name'), maxLength: 160 },
				{ ...str('emailaddress1', 'Email', 100), format: 'Email' },
				str('jobtitle', 'Job Title', 100),
				{ ...str('telephone1', 'Business Phone', 50), format: 'Phone' },
				{
					logicalName: 'parentcustomerid',
					type: 'Customer',
					displayName: 'Company Name',
					targets: { account: 'parentcustomerid_account', contact: 'parentcustomerid_contact' },
				},
				{
					logicalName: 'gendercode',
					type: 'Picklist',
					displayName: 'Gender',
					options: [
						[1, 'Male'],
						[2, 'Female'],
					],
				},
				{
					logicalName: 'birthdate',
					type: 'DateTime',
					displayName: 'Birthday',
					dateFormat: 'DateOnly',
				},
				...stateStatus([
					[1, 'Active'],
					[2, 'Inactive'],
				]),
				...common(),
			],
			keys: [{ logicalName: 'contact_emailaddress1', keyAttributes: ['emailaddress1'] }],
		},
		{
			logicalName: 'lead',
			entitySetName: 'leads',
			primaryId: 'leadid',
			primaryName: 'fullname',
			displayName: 'Lead',
			displayCollectionName: 'Leads',
			objectTypeCode: 4,
			isCustom: false,
			attributes: [
				pk('leadid', 'Lead'),
				str('subject', 'Topic', 300, true),
				str('firstname', 'First Name', 50),
				str('lastname', 'Last Name', 50, true),
				{ ...sys('fullname', 'String', 'Name'), maxLength: 160 },
				str('companyname', 'Company Name', 100),
				{ ...str('emailaddress1', 'Email', 100), format: 'Email' },
				...stateStatus([
					[1, 'New'],
					[2, 'Contacted'],
					[3, 'Qualified'],
				]),
				...common(),
			],
			keys: [],
		},
		{
			logicalName: 'opportunity',
			entitySetName: 'opportunities',
			primaryId: 'opportunityid',
			primaryName: 'name',
			displayName: 'Opportunity',
			displayCollectionName: 'Opportunities',
			objectTypeCode: 3,
			isCustom: false,
			attributes: [
				pk('opportunityid', 'Opportunity'),
				str('name', 'Topic', 300, true),
				{ logicalName: 'estimatedvalue', type: 'Money', displayName: 'Est. Revenue' },
				{
					logicalName: 'estimatedclosedate',
					type: 'DateTime',
					displayName: 'Est. Close Date',
					dateFormat: 'DateOnly',
				},
				{
					logicalName: 'customerid',
					type: 'Customer',
					displayName: 'Potential Customer',
					targets: { account: 'customerid_account', contact: 'customerid_contact' },
				},
				...stateStatus([
					[1, 'In Progress'],
					[2, 'On Hold'],
				]),
				...common(),
			],
			keys: [],
		},
		{
			logicalName: 'systemuser',
			entitySetName: 'systemusers',
			primaryId: 'systemuserid',
			primaryName: 'fullname',
			displayName: 'User',
			displayCollectionName: 'Users',
			objectTypeCode: 8,
			isCustom: false,
			readOnly: true,
			attributes: [
				pk('systemuserid', 'User'),
				{ ...sys('fullname', 'String', 'Full Name'), maxLength: 200 },
				{ ...str('firstname', 'First Name', 64), readOnly: true },
				{ ...str('lastname', 'Last Name', 64), readOnly: true },
				{ ...str('internalemailaddress', 'Primary Email', 100), format: 'Email', readOnly: true },
				{ ...str('domainname', 'User Name', 1024), readOnly: true },
				sys('createdon', 'DateTime', 'Created On'),
				sys('modifiedon', 'DateTime', 'Modified On'),
				sys('versionnumber', 'BigInt', 'Version Number'),
			],
			keys: [],
		},
		{
			logicalName: 'new_project',
			entitySetName: 'new_projects',
			primaryId: 'new_projectid',
			primaryName: 'new_name',
			displayName: 'Project',
			displayCollectionName: 'Projects',
			objectTypeCode: 10001,
			isCustom: true,
			// A custom table starts with "Track changes" off (the option `changeTracking` turns it on).
			changeTracking: false,
			attributes: [
				pk('new_projectid', 'Project'),
				str('new_name', 'Name', 100, true),
				{ logicalName: 'new_budget', type: 'Money', displayName: 'Budget' },
				{
					logicalName: 'new_accountid',
					schemaName: 'new_AccountId',
					type: 'Lookup',
					displayName: 'Account',
					// A custom lookup's navigation property is its schema name (what `@odata.bind` and `$ref` take).
					targets: { account: 'new_AccountId' },
				},
				...stateStatus([
					[1, 'Active'],
					[2, 'Inactive'],
				]),
				...common(),
			],
			keys: [],
		},
	];
}
