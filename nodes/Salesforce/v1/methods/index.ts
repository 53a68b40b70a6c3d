export * as listSearch from '../../../shared/salesforce/listSearch';
export * as loadOptions from '../../../shared/salesforce/loadOptions';
export * as resourceMapping from './resourceMapping';
