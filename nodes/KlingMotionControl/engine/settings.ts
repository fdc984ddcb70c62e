import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { param } from './params';
import { DEFAULT_STATUS_RATE } from './polling';

/** The node's defaults for the options the engine reads (the description shows the same values). */
export const DEFAULTS = {
	pollInterval: 10,
	timeout: 30,
	concurrency: 20,
	binaryPropertyName: 'data',
	statusRate: DEFAULT_STATUS_RATE,
};

/** Per-run settings of the engine (from the first item's options). */
export interface EngineSettings {
	pollIntervalMs: number;
	timeoutMs: number;
	/** Per-request HTTP timeout for ordinary calls. */
	requestTimeoutMs: number;
	/** Tasks in flight at once. */
	concurrency: number;
	/** At the Timeout, cancel the task where the provider can (instead of leaving it running to be resumed). */
	cancelOnTimeout: boolean;
	/** The run's shared status budget (requests per second), before the provider's documented limit. */
	statusRate: number;
}

function positive(value: unknown, fallback: number): number {
	const number = Number(value);
	return Number.isFinite(number) && number > 0 ? number : fallback;
}

// Resolving a parameter runs n8n's expression engine: read each item's options once per execution.
const optionsCache = new WeakMap<IExecuteFunctions, Map<number, IDataObject>>();

export function options(fns: IExecuteFunctions, itemIndex: number): IDataObject {
	let perItem = optionsCache.get(fns);
	if (!perItem) optionsCache.set(fns, (perItem = new Map()));
	let value = perItem.get(itemIndex);
	if (!value) perItem.set(itemIndex, (value = param<IDataObject>(fns, 'options', itemIndex, {})));
	return value;
}

export function engineSettings(fns: IExecuteFunctions): EngineSettings {
	const first = options(fns, 0);
	return {
		pollIntervalMs: positive(first.pollInterval, DEFAULTS.pollInterval) * 1000,
		timeoutMs: positive(first.timeout, DEFAULTS.timeout) * 60_000,
		requestTimeoutMs: 120_000,
		concurrency: Math.floor(positive(first.concurrency, DEFAULTS.concurrency)),
		cancelOnTimeout: first.cancelOnTimeout === true,
		statusRate: positive(first.statusRate, DEFAULTS.statusRate),
	};
}
