/** The endpoint-profile connector: the connector contract over any REST API a profile describes. */
export { RestProfileConnector, type RestProfileConnectorOptions } from './connector';
export { parseProfile, ProfileError, profileSchema, type RestProfile } from './profile';
