import type { IExecuteFunctions } from 'n8n-workflow';

import { ResponseShapeError } from '../providers/common';
import type { ProviderAdapter, ProviderContext } from '../providers/types';
import type { Poller } from './polling';
import type { EngineSettings } from './settings';

/** Everything one run of the node shares: the provider, its context, the settings and what was created. */
export interface Runtime {
	fns: IExecuteFunctions;
	adapter: ProviderAdapter;
	ctx: ProviderContext;
	settings: EngineSettings;
	signal: AbortSignal | undefined;
	/** Task ids created in this run, by item: reported if the run stops, so no paid task is lost. */
	journal: Map<number, string>;
	/** Every status check of the run: one budget, a schedule learned from the run (see Poller). */
	poller: Poller;
}

/** Runs an adapter's response parser; a body without the documented shape becomes a reason, not a crash. */
export function tryParse<T>(parse: () => T): { value: T } | { problem: string } {
	try {
		return { value: parse() };
	} catch (error) {
		const problem = error instanceof ResponseShapeError ? error.message : `unreadable answer (${String(error)})`;
		return { problem };
	}
}

export function resumeHint(adapter: ProviderAdapter, taskId: string): string {
	return `It may still finish (and be billed) at ${adapter.displayName}: resume it with the operation "Wait for Completion" (or check it with "Get Status") and Task ID ${taskId}.`;
}
