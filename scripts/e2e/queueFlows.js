/**
 * Webhook-triggered workflows of the queue-mode tier, and how they are triggered and read: the main receives the
 * POST, a worker runs the execution, the main answers with the last node's items (`responseMode: lastNode`).
 * Also the figures computed over the simulators' request logs (peak requests in a sliding window, peak
 * requests in flight).
 */
const { randomUUID } = require('node:crypto');

const { check, seconds } = require('./util');

/** Webhook (POST `path`, answers with every item of the last node) → Split Out `body.rows` → `node`. */
function rowsWebhookFlow(id, name, path, node) {
	return webhookFlow(
		id,
		name,
		path,
		[
			{
				id: `${id}-split`,
				name: 'Split Rows',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
				parameters: { fieldToSplitOut: 'body.rows', options: {} },
			},
			// Per-item failures stay on the main output (items with `error`), so the answer shows them.
			{ id: `${id}-node`, position: [440, 0], onError: 'continueRegularOutput', ...node },
		],
		'allEntries',
	);
}

/** Webhook (POST `path`, answers with the first item of the last node's first output) → `node`. */
function triggerWebhookFlow(id, name, path, node) {
	return webhookFlow(
		id,
		name,
		path,
		[{ id: `${id}-node`, position: [220, 0], ...node }],
		'firstEntryJson',
	);
}

/** An active workflow: Webhook → `chain` (in order), the webhook answering `responseData` of the last node. */
function webhookFlow(id, name, path, chain, responseData) {
	const nodes = [
		{
			id: `${id}-webhook`,
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: randomUUID(),
			parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', responseData, options: {} },
		},
		...chain,
	];
	const connections = {};
	for (let i = 0; i + 1 < nodes.length; i++)
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	return {
		id,
		name,
		active: true,
		nodes,
		connections,
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

/**
 * POSTs `body` to a webhook URL. Resolves {status, body (parsed JSON or text), ms}; a time-out or a dropped
 * connection resolves with status 0.
 */
async function trigger(url, body, timeoutMs = 240_000) {
	const started = Date.now();
	try {
		const res = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body ?? {}),
			signal: AbortSignal.timeout(timeoutMs),
		});
		const text = await res.text();
		let parsed = text;
		try {
			parsed = JSON.parse(text);
		} catch {
			/* not JSON */
		}
		return { status: res.status, body: parsed, ms: Date.now() - started };
	} catch (err) {
		return { status: 0, body: String(err?.message ?? err), ms: Date.now() - started };
	}
}

/** Waits until `test()` resolves truthy (polling every 200 ms) and returns it; fails with `what` after `timeoutMs`. */
async function until(test, timeoutMs, what = 'a condition') {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await test();
		if (value) return value;
		check(Date.now() < deadline, `timed out after ${seconds(timeoutMs)} waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

/** The largest number of `times` (ms, any order) inside any window [t, t + windowMs). */
function peakInWindow(times, windowMs) {
	const sorted = [...times].sort((a, b) => a - b);
	let peak = 0;
	for (let i = 0, j = 0; j < sorted.length; j++) {
		while (sorted[j] - sorted[i] >= windowMs) i++;
		peak = Math.max(peak, j - i + 1);
	}
	return peak;
}

/** The most requests in flight at once, from log entries {at, durationMs}. */
function peakInFlight(entries) {
	const events = entries.flatMap((e) => [
		[e.at, 1],
		[e.at + Math.max(0, e.durationMs), -1],
	]);
	events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
	let now = 0;
	let peak = 0;
	for (const [, d] of events) peak = Math.max(peak, (now += d));
	return peak;
}

/** Items of a `rowsWebhookFlow` answer, split into written (no `error`) and rejected ones. */
function answerItems(answer, label) {
	check(
		answer.status === 200 && Array.isArray(answer.body),
		`${label}: the webhook answered ${answer.status}: ${String(JSON.stringify(answer.body)).slice(0, 400)}`,
	);
	const rejected = answer.body.filter((item) => item && item.error !== undefined);
	return { written: answer.body.length - rejected.length, rejected };
}

module.exports = {
	rowsWebhookFlow,
	triggerWebhookFlow,
	trigger,
	until,
	peakInWindow,
	peakInFlight,
	answerItems,
};
