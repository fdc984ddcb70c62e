// The queue-mode scenario's workflows. Each starts with a Webhook trigger (published): in queue mode
// main takes the request and a worker runs the execution (`n8n execute` would force regular mode).
import { randomUUID } from 'node:crypto';

import type { ProviderId } from '../emulator';
import type { Workflow } from '../e2e/workflows';
import { CREDENTIAL_TYPES, credId, NODE_TYPE } from '../e2e/workflows';

type Params = Record<string, unknown>;
type WfNode = Workflow['nodes'][number];

let x = 0;
function node(name: string, type: string, typeVersion: number, parameters: Params, extra: Partial<WfNode> = {}): WfNode {
	return { id: randomUUID(), name, type, typeVersion, position: [(x += 220), 0], parameters, ...extra };
}

function kling(name: string, provider: ProviderId, parameters: Params): WfNode {
	return node(name, NODE_TYPE, 1, { authentication: provider, ...parameters }, {
		// the credential name as ../e2e/workflows.ts imports it
		credentials: { [CREDENTIAL_TYPES[provider]]: { id: credId(provider), name: `${provider} (emulator)` } },
	});
}

const webhook = (path: string): WfNode =>
	node('Webhook', 'n8n-nodes-base.webhook', 2, { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} }, { webhookId: randomUUID() });

function wf(id: string, name: string, nodes: WfNode[]): Workflow {
	const connections: Workflow['connections'] = {};
	for (let i = 0; i + 1 < nodes.length; i++) connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	return { id, name: `e2e-queue: ${name}`, active: false, nodes, connections, settings: { executionOrder: 'v1' } };
}

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
	const check = `
const items = $input.all();
const out = [];
for (let i = 0; i < items.length; i++) {
  const meta = items[i].binary && items[i].binary.data;
  if (!meta) throw new Error('item ' + i + ' has no binary "data"');
  const buf = await this.helpers.getBinaryDataBuffer(i, 'data');
  out.push({ json: { i, taskId: items[i].json.taskId, size: buf.length, magic: buf.subarray(4, 8).toString('latin1'), mimeType: meta.mimeType, storedAs: meta.id ? meta.id.split(':')[0] : 'inline' } });
}
return out;`;
	return wf(QIDS.batch, `batch of 100 (${provider}, submit and wait, download)`, [
		webhook(PATHS.batch),
		node('Rows', 'n8n-nodes-base.code', 2, { mode: 'runOnceForAllItems', language: 'javaScript', jsCode: 'return $input.first().json.body.rows.map((json) => ({ json }));' }),
		kling('Kling Motion Control', provider, {
			operation: 'submitAndWait',
			imageUrl: '={{ $json.image }}',
			videoUrl: '={{ $json.video }}',
			characterOrientation: 'image',
			quality: 'standard',
			options: { downloadVideo: true, concurrency, pollInterval, timeout: 5 },
		}),
		node('Read binaries', 'n8n-nodes-base.code', 2, { mode: 'runOnceForAllItems', language: 'javaScript', jsCode: check }),
	]);
}

/** B: Webhook → Submit (callbackUrl = resume URL) → Wait "On Webhook Call" (POST) → Get Status with Download Video. */
export function parked(provider: ProviderId): Workflow {
	return wf(QIDS.parked, `submit, park until the provider's callback, get status (${provider})`, [
		webhook(PATHS.parked),
		kling('Submit', provider, {
			operation: 'submit',
			imageUrl: '={{ $json.body.image }}',
			videoUrl: '={{ $json.body.video }}',
			characterOrientation: 'image',
			quality: 'standard',
			options: { callbackUrl: '={{ $execution.resumeUrl }}' },
		}),
		node(
			'Wait for callback',
			'n8n-nodes-base.wait',
			1.1,
			{ resume: 'webhook', httpMethod: 'POST', limitWaitTime: true, limitType: 'afterTimeInterval', resumeAmount: 15, resumeUnit: 'minutes', options: {} },
			{ webhookId: randomUUID() },
		),
		kling('Get Status', provider, { operation: 'getStatus', taskId: "={{ $('Submit').item.json.taskId }}", options: { downloadVideo: true } }),
	]);
}

/** C: Webhook → Submit and Wait (polling inside the worker) — the worker running it is killed. */
export function crash(provider: ProviderId): Workflow {
	return wf(QIDS.crash, `submit and wait, polling, worker killed (${provider})`, [
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
	return wf(QIDS.recover, `recover a task by id (${provider})`, [
		webhook(PATHS.recover),
		kling('Wait for Completion', provider, { operation: 'waitForCompletion', taskId: '={{ $json.body.taskId }}', options: { pollInterval: 1, timeout: 3, downloadVideo: true } }),
	]);
}
