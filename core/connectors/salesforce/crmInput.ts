/** Input checks shared by the parts of `SalesforceCrm`: validation errors that name the fix, and API names. */
import { CrmError } from '../../http/errors';
import { soqlIdentifier } from '../../query/soql';

/** A validation error of the contract's input (`INVALID_INPUT`), with the fix when there is one. */
export function validation(message: string, hint?: string): CrmError {
	return new CrmError(message, {
		kind: 'validation',
		crmCode: 'INVALID_INPUT',
		...(hint ? { hint } : {}),
	});
}

/** An object or field name, checked (a bad one names the fix). */
export function apiName(name: string, what: string): string {
	try {
		return soqlIdentifier(name);
	} catch (error) {
		throw validation(
			`${what} ${JSON.stringify(name)} is not a Salesforce API name: ${(error as Error).message}`,
		);
	}
}
