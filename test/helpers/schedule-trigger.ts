/**
 * Stand-in for n8n's Schedule Trigger (`n8n-nodes-base.scheduleTrigger`), registered under its real type name by
 * `builtin-nodes.ts`, for workflows that run on a schedule (the example workflows).
 *
 * What it keeps of n8n's node (nodes-base/nodes/Schedule/ScheduleTrigger.node.ts in n8n 2.41.1): the versions
 * (1–1.4), the `rule.interval` parameter with n8n's names (`field`: seconds | minutes | hours | days | weeks | months
 * | cronExpression, and `<field>Interval` with n8n's defaults), the range check of version ≥ 1.3 with its messages,
 * and what it emits: in a manual run ("Execute workflow", as the engine tests run) exactly one item with the time of
 * the run (`timestamp`, `Readable date`, …, `Timezone`, moment's formats) and nothing else. It schedules nothing:
 * outside a manual run it returns without starting timers (a test drives each run itself), where n8n registers one
 * cron job per rule. Not kept: the hour/day/week/month sub-settings and 1.4's missed-execution settings.
 */
import type {
	IDataObject,
	INodeType,
	INodeTypeDescription,
	ITriggerFunctions,
	ITriggerResponse,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

const FIELDS = ['seconds', 'minutes', 'hours', 'days', 'weeks', 'months', 'cronExpression'];

/** The parts of `date` in `timeZone` (Intl), as n8n's moment-timezone formats them. */
function parts(date: Date, timeZone: string): Record<string, string> {
	const format = new Intl.DateTimeFormat('en-US', {
		timeZone,
		hourCycle: 'h23',
		year: 'numeric',
		month: 'long',
		day: '2-digit',
		weekday: 'long',
		hour: '2-digit',
		minute: '2-digit',
		second: '2-digit',
		timeZoneName: 'longOffset',
	});
	return Object.fromEntries(format.formatToParts(date).map((p) => [p.type, p.value]));
}

const ordinal = (day: number): string => {
	const tens = day % 100;
	if (tens >= 11 && tens <= 13) return `${day}th`;
	return `${day}${['th', 'st', 'nd', 'rd'][day % 10] ?? 'th'}`;
};

/** The item n8n's Schedule Trigger emits for a run at `date` in `timeZone`. */
export function scheduleItem(date: Date, timeZone: string): IDataObject {
	const p = parts(date, timeZone);
	// "GMT+01:00" → "+01:00"; "GMT" alone is UTC.
	const offset = p.timeZoneName === 'GMT' ? '+00:00' : p.timeZoneName.replace('GMT', '');
	const hour12 = Number(p.hour) % 12 || 12;
	const ampm = Number(p.hour) < 12 ? 'am' : 'pm';
	const time = `${hour12}:${p.minute}:${p.second} ${ampm}`;
	const ms = String(date.getMilliseconds()).padStart(3, '0');
	const monthNumber = new Intl.DateTimeFormat('en-US', { timeZone, month: '2-digit' }).format(date);
	return {
		timestamp: `${p.year}-${monthNumber}-${p.day}T${p.hour}:${p.minute}:${p.second}.${ms}${offset}`,
		'Readable date': `${p.month} ${ordinal(Number(p.day))} ${p.year}, ${time}`,
		'Readable time': time,
		'Day of week': p.weekday,
		Year: p.year,
		Month: p.month,
		'Day of month': p.day,
		Hour: p.hour,
		Minute: p.minute,
		Second: p.second,
		Timezone: `${timeZone} (UTC${offset})`,
	};
}

export class ScheduleTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Schedule Trigger',
		name: 'scheduleTrigger',
		icon: 'fa:clock',
		group: ['trigger', 'schedule'],
		version: [1, 1.1, 1.2, 1.3, 1.4],
		description: 'Triggers the workflow on a given schedule',
		eventTriggerDescription: '',
		defaults: { name: 'Schedule Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName: 'Trigger Rules',
				name: 'rule',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: { interval: [{ field: 'days' }] },
				options: [
					{
						name: 'interval',
						displayName: 'Trigger Interval',
						values: [
							{
								displayName: 'Trigger Interval',
								name: 'field',
								type: 'options',
								default: 'days',
								options: FIELDS.map((value) => ({ name: value, value })),
							},
							{ displayName: 'Seconds', name: 'secondsInterval', type: 'number', default: 30 },
							{ displayName: 'Minutes', name: 'minutesInterval', type: 'number', default: 5 },
							{ displayName: 'Hours', name: 'hoursInterval', type: 'number', default: 1 },
							{ displayName: 'Days', name: 'daysInterval', type: 'number', default: 1 },
							{ displayName: 'Weeks', name: 'weeksInterval', type: 'number', default: 1 },
							{ displayName: 'Months', name: 'monthsInterval', type: 'number', default: 1 },
							{ displayName: 'Expression', name: 'expression', type: 'string', default: '' },
						],
					},
				],
			},
		],
	};

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const version = this.getNode().typeVersion;
		const { interval = [{}] } = this.getNodeParameter('rule', {}) as { interval?: IDataObject[] };
		const intervals = interval.map(withIntervalDefaults);
		// From 1.3 n8n checks the ranges before anything runs, manual runs included.
		if (version >= 1.3) intervals.forEach((rule, i) => validateInterval(this, i, rule));
		// n8n registers one cron job per rule here; a test drives each run itself.
		if (this.getMode() !== 'manual') return {};
		// "Execute workflow": one item now, whatever the rules say (n8n skips its recurrence check).
		const manualTriggerFunction = async () => {
			this.emit([this.helpers.returnJsonArray([scheduleItem(new Date(), this.getTimezone())])]);
		};
		return { manualTriggerFunction };
	}
}

/** n8n's `withIntervalDefaults`: an unknown field is `days`, a missing amount its default. */
function withIntervalDefaults(rule: IDataObject): IDataObject {
	const field = FIELDS.includes(String(rule.field)) ? String(rule.field) : 'days';
	const defaults: Record<string, number> = { seconds: 30, minutes: 5 };
	if (field === 'cronExpression') return { field, expression: rule.expression ?? '' };
	return { ...rule, field, [`${field}Interval`]: rule[`${field}Interval`] ?? defaults[field] ?? 1 };
}

/** n8n's `validateInterval` (version 1.3 and later), with its messages. */
function validateInterval(ctx: ITriggerFunctions, itemIndex: number, rule: IDataObject): void {
	const ranges: Record<string, [number, number, string]> = {
		seconds: [1, 59, 'Seconds must be in range 1-59'],
		minutes: [1, 59, 'Minutes must be in range 1-59'],
		hours: [1, 23, 'Hours must be in range 1-23'],
		days: [1, 31, 'Days must be in range 1-31'],
		months: [1, Infinity, 'Months must be larger than 0'],
	};
	const range = ranges[String(rule.field)];
	if (!range) return;
	const amount = Number(rule[`${String(rule.field)}Interval`]);
	if (amount < range[0] || amount > range[1])
		throw new NodeOperationError(ctx.getNode(), 'Invalid interval', {
			itemIndex,
			description: range[2],
		});
}
