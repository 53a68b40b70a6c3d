/** Query safety: values and names bound into SOQL, OData `$filter` and FetchXML without injection. */
export { plainNumber, QueryValueError } from './common';
export * from './fetchxml';
export * from './odata';
export * from './soql';
