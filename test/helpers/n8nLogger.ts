/** n8n's logger as n8n-core hands it to nodes (`this.logger`): from n8n-core's own DI container, for spying on. */
import { createRequire } from 'node:module';

export interface N8nLogger {
	debug: (message: string) => void;
	info: (message: string) => void;
	warn: (message: string) => void;
}

function core() {
	const fromCore = createRequire(require.resolve('n8n-core'));
	const { Container } = fromCore('@n8n/di') as { Container: { get(type: unknown): unknown } };
	const { Logger } = fromCore('@n8n/backend-common') as { Logger: { prototype: N8nLogger } };
	return { Container, Logger };
}

export function n8nLogger(): N8nLogger {
	const { Container, Logger } = core();
	return Container.get(Logger) as N8nLogger;
}
