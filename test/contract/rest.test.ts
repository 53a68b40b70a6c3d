/**
 * The connector contract's conformance suite against the REST simulator through endpoint profiles
 * (core/connectors/rest), with the sample profile and a variant (restWorld.ts).
 */
import { runConformanceSuite } from './suite';
import { sample, variant, world } from './restWorld';

runConformanceSuite('rest profile (cursor paging, batch writes)', world(sample).harness);
runConformanceSuite(
	'rest profile (link / offset / next-URL paging, single writes)',
	world(variant()).harness,
);
