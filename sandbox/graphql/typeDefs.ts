/** The GraphQL simulator's schema, in SDL (resolvers are attached in schema.ts). */
export const TYPE_DEFS = /* GraphQL */ `
	"An ISO 8601 date-time in UTC, e.g. 2024-03-01T09:00:00.000Z."
	scalar DateTime

	"An object with a globally unique, opaque ID."
	interface Node {
		id: ID!
	}

	type PageInfo {
		hasNextPage: Boolean!
		hasPreviousPage: Boolean!
		startCursor: String
		endCursor: String
	}

	enum LifecycleStage {
		SUBSCRIBER
		LEAD
		OPPORTUNITY
		CUSTOMER
		OTHER
	}

	type Contact implements Node {
		id: ID!
		email: String!
		firstName: String
		lastName: String
		phone: String
		lifecycleStage: LifecycleStage
		score: Int
		subscribed: Boolean!
		tags: [String!]!
		company: Company
		createdAt: DateTime!
		updatedAt: DateTime!
	}

	type Company implements Node {
		id: ID!
		name: String!
		domain: String
		industry: String
		employees: Int
		contacts(first: Int, after: String): ContactConnection!
		createdAt: DateTime!
		updatedAt: DateTime!
	}

	type ContactEdge {
		cursor: String!
		node: Contact!
	}

	type ContactConnection {
		edges: [ContactEdge!]!
		nodes: [Contact!]!
		pageInfo: PageInfo!
		totalCount: Int!
	}

	type CompanyEdge {
		cursor: String!
		node: Company!
	}

	type CompanyConnection {
		edges: [CompanyEdge!]!
		nodes: [Company!]!
		pageInfo: PageInfo!
		totalCount: Int!
	}

	"A deleted record (tombstone), for change feeds."
	type DeletedRecord {
		id: ID!
		deletedAt: DateTime!
	}

	type DeletedRecordEdge {
		cursor: String!
		node: DeletedRecord!
	}

	type DeletedRecordConnection {
		edges: [DeletedRecordEdge!]!
		nodes: [DeletedRecord!]!
		pageInfo: PageInfo!
		totalCount: Int!
	}

	input ContactFilter {
		"Only records changed at or after this time."
		updatedSince: DateTime
		"Exact e-mail address (case-insensitive)."
		email: String
	}

	enum ContactOrder {
		CREATED_AT
		UPDATED_AT
	}

	"Who the credentials act for."
	type Viewer {
		subject: String!
		authenticatedBy: String!
	}

	type Query {
		contacts(
			first: Int
			after: String
			filter: ContactFilter
			orderBy: ContactOrder = CREATED_AT
		): ContactConnection!
		companies(first: Int, after: String): CompanyConnection!
		contact(id: ID!): Contact
		company(id: ID!): Company
		node(id: ID!): Node
		"Contacts deleted after \`since\` (exclusive), oldest first."
		deletedContacts(since: DateTime, first: Int, after: String): DeletedRecordConnection!
		viewer: Viewer!
	}

	input ContactInput {
		email: String
		firstName: String
		lastName: String
		phone: String
		lifecycleStage: LifecycleStage
		score: Int
		subscribed: Boolean
		tags: [String!]
		"The global ID of a company, or null to unlink."
		companyId: ID
	}

	type CreateContactPayload {
		contact: Contact!
	}

	type UpdateContactPayload {
		contact: Contact!
	}

	type UpsertContactPayload {
		contact: Contact!
		"True when no contact had the e-mail address and one was created."
		created: Boolean!
	}

	type DeleteContactPayload {
		deletedContactId: ID!
	}

	type Mutation {
		createContact(input: ContactInput!): CreateContactPayload
		updateContact(id: ID!, input: ContactInput!): UpdateContactPayload
		upsertContact(email: String!, input: ContactInput!): UpsertContactPayload
		deleteContact(id: ID!): DeleteContactPayload
	}
`;
