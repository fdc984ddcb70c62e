// The queue-mode scenario's workflows. Each starts with a Webhook trigger (published): in queue mode
// main takes the request and a worker runs the execution (`n8n execute` would force regular mode).
import type { ProviderId } from '../emulator';
import type { Workflow } from '../e2e-shared';
import { callbackWorkflow, code, kling, readBinaries, webhook, wf } from '../e2e-shared';

export const QIDS = {
	batch: 'e2eq-batch-100',
	parked: 'e2eq-parked-callback',
	crash: 'e2eq-worker-crash',
	recover: 'e2eq-recover-task',
} as const;
export const PATHS = { batch: 'e2eq-batch', parked: 'e2eq-parked', crash: 'e2eq-crash', recover: 'e2eq-recover' } as const;

/**
 * A: Webhook → Code (one item per row of the request body) → Submit and Wait with Download Video →
 * Code that reads every binary back from n8n's binary storage (on the worker) and reports it.
 */
export function batch(provider: ProviderId, concurrency: number, pollInterval: number): Workflow {
	return wf(QIDS.batch, `e2e-queue: batch of 100 (${provider}, submit and wait, download)`, [
		webhook(PATHS.batch),
		code('Rows', 'return $input.first().json.body.rows.map((json) => ({ json }));'),
		kling('Kling Motion Control', provider, {
			operation: 'submitAndWait',
			imageUrl: '={{ $json.image }}',
			videoUrl: '={{ $json.video }}',
			characterOrientation: 'image',
			quality: 'standard',
			options: { downloadVideo: true, concurrency, pollInterval, timeout: 5 },
		}),
		readBinaries('Read binaries'),
	]);
}

/** B: Webhook → Submit (callbackUrl = resume URL) → Wait "On Webhook Call" (POST) → Get Status with Download Video. */
export function parked(provider: ProviderId): Workflow {
	return callbackWorkflow({ id: QIDS.parked, name: `e2e-queue: submit, park until the provider's callback, get status (${provider})`, path: PATHS.parked, provider, waitMinutes: 15 });
}

/** C: Webhook → Submit and Wait (polling inside the worker) — the worker running it is killed. */
export function crash(provider: ProviderId): Workflow {
	return wf(QIDS.crash, `e2e-queue: submit and wait, polling, worker killed (${provider})`, [
		webhook(PATHS.crash),
		kling('Kling Motion Control', provider, {
			operation: 'submitAndWait',
			imageUrl: '={{ $json.body.image }}',
			videoUrl: '={{ $json.body.video }}',
			characterOrientation: 'image',
			quality: 'standard',
			options: { pollInterval: 2, timeout: 10, downloadVideo: true },
		}),
	]);
}

/** C, recovery: Webhook → Wait for Completion of a task id given in the request (no new submit). */
export function recover(provider: ProviderId): Workflow {
	return wf(QIDS.recover, `e2e-queue: recover a task by id (${provider})`, [
		webhook(PATHS.recover),
		kling('Wait for Completion', provider, { operation: 'waitForCompletion', taskId: '={{ $json.body.taskId }}', options: { pollInterval: 1, timeout: 3, downloadVideo: true } }),
	]);
}
