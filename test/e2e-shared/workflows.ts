// Credentials and workflow builders every e2e suite imports into n8n: one emulator credential per
// provider, the node type, and small builders for nodes, connections and the usual trigger/Code nodes.
import type { Emulator, ProviderId } from '../emulator';
import { EMULATOR_KEYS } from '../emulator';
import { PROVIDERS } from '../../nodes/KlingMotionControl/providers';

export const NODE_TYPE = 'n8n-nodes-kling-motion-control.klingMotionControl';

/** Credential type per provider (the `authentication` value), from the node's registry. */
export const CREDENTIAL_TYPES = Object.fromEntries(
	Object.values(PROVIDERS).map((adapter) => [adapter.id, adapter.credentialType]),
) as Record<ProviderId, string>;

export const credId = (p: ProviderId): string => `e2e-cred-${p}`;
export const credName = (p: ProviderId): string => `${p} (emulator)`;

/** One credential per provider, pointing at the emulator (for `n8n import:credentials`). */
export function credentials(emu: Emulator): unknown[] {
	return (Object.keys(CREDENTIAL_TYPES) as ProviderId[]).map((p) => {
		const key = EMULATOR_KEYS[p];
		const data: Record<string, string> =
			typeof key === 'string' ? { apiKey: key, baseUrl: emu.baseUrl(p) } : { accessKey: key.accessKey, secretKey: key.secretKey, baseUrl: emu.baseUrl(p) };
		if (p === 'fal') data.storageBaseUrl = emu.falStorageBaseUrl;
		return { id: credId(p), name: credName(p), type: CREDENTIAL_TYPES[p], data };
	});
}

/** Emulator media URLs (`query` carries faults such as `emu=fail`, `emu_ms=…`, `row=…`). */
export const media = (emu: Emulator) => ({
	image: (query = ''): string => `${emu.cdnUrl}/media/char.png?w=768&h=1024${query ? `&${query}` : ''}`,
	video: (seconds = 5): string => `${emu.cdnUrl}/media/clip.mp4?duration=${seconds}&w=720&h=1280`,
});

// ---------- workflow builders ----------

export type Params = Record<string, unknown>;
export interface WfNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Params;
	credentials?: Record<string, { id: string; name: string }>;
	onError?: string;
	webhookId?: string;
}
export interface Workflow {
	id: string;
	name: string;
	active: boolean;
	nodes: WfNode[];
	connections: Record<string, { main: Array<Array<{ node: string; type: 'main'; index: number }>> }>;
	settings: Params;
}

let seq = 0;
/** A fresh id (node ids, webhook ids); unique within the run. */
export const uuid = (): string => `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;

export function node(name: string, type: string, typeVersion: number, parameters: Params, extra: Partial<WfNode> = {}): WfNode {
	return { id: uuid(), name, type, typeVersion, position: [seq * 220, 0], parameters, ...extra };
}

/** A Kling Motion Control node on `provider`, with that provider's emulator credential. */
export function kling(name: string, provider: ProviderId, parameters: Params, extra: Partial<WfNode> = {}): WfNode {
	return node(name, NODE_TYPE, 1, { authentication: provider, ...parameters }, {
		credentials: { [CREDENTIAL_TYPES[provider]]: { id: credId(provider), name: credName(provider) } },
		...extra,
	});
}

export const manual = (): WfNode => node('Start', 'n8n-nodes-base.manualTrigger', 1, {});
export const code = (name: string, jsCode: string): WfNode => node(name, 'n8n-nodes-base.code', 2, { mode: 'runOnceForAllItems', language: 'javaScript', jsCode });
export const noOp = (name: string): WfNode => node(name, 'n8n-nodes-base.noOp', 1, {});
/** A POST Webhook trigger at `/webhook/<path>` that answers at once. */
export const webhook = (path: string): WfNode =>
	node('Webhook', 'n8n-nodes-base.webhook', 2, { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} }, { webhookId: uuid() });
/** A Wait node resumed by a POST to `$execution.resumeUrl`, for at most `minutes`. */
export const waitForWebhook = (name: string, minutes: number): WfNode =>
	node(
		name,
		'n8n-nodes-base.wait',
		1.1,
		{ resume: 'webhook', httpMethod: 'POST', limitWaitTime: true, limitType: 'afterTimeInterval', resumeAmount: minutes, resumeUnit: 'minutes', options: {} },
		{ webhookId: uuid() },
	);

/**
 * A Code node (all items at once) that reads each item's binary "data" back from n8n's binary storage
 * and emits per item `{ i, taskId, size, mimeType, fileName, magic (bytes 4-8), storedAs (binary id's
 * mode) }`; `checks` is JavaScript run per item (it sees `i`, `meta`, `buf`, `magic`) that may throw.
 */
export function readBinaries(name: string, checks = ''): WfNode {
	return code(
		name,
		`
const items = $input.all();
const out = [];
for (let i = 0; i < items.length; i++) {
  const meta = items[i].binary && items[i].binary.data;
  if (!meta) throw new Error('item ' + i + ' has no binary "data"');
  const buf = await this.helpers.getBinaryDataBuffer(i, 'data');
  const magic = buf.subarray(4, 8).toString('latin1');
${checks}
  out.push({ json: { i, taskId: items[i].json.taskId, size: buf.length, mimeType: meta.mimeType, fileName: meta.fileName, magic, storedAs: meta.id ? meta.id.split(':')[0] : 'inline' } });
}
return out;`,
	);
}

/**
 * A workflow. `links` connect `[from, to, output?]` (a node's output i to another node's input); without
 * links the nodes are chained in order.
 */
export function wf(id: string, name: string, nodes: WfNode[], links?: Array<[string, string, number?]>): Workflow {
	const connections: Workflow['connections'] = {};
	const pairs = links ?? nodes.slice(1).map((n, i): [string, string] => [nodes[i].name, n.name]);
	for (const [from, to, output = 0] of pairs) {
		const c = (connections[from] ??= { main: [] });
		while (c.main.length <= output) c.main.push([]);
		c.main[output].push({ node: to, type: 'main', index: 0 });
	}
	return { id, name, active: false, nodes, connections, settings: { executionOrder: 'v1' } };
}

/**
 * Webhook trigger → Submit (`callbackUrl` = `$execution.resumeUrl`) → Wait "On Webhook Call" → Get Status
 * with Download Video: the execution parks until the provider's callback resumes it.
 */
export function callbackWorkflow(o: { id: string; name: string; path: string; provider: ProviderId; waitMinutes: number }): Workflow {
	return wf(o.id, o.name, [
		webhook(o.path),
		kling('Submit', o.provider, {
			operation: 'submit',
			imageUrl: '={{ $json.body.image }}',
			videoUrl: '={{ $json.body.video }}',
			characterOrientation: 'image',
			quality: 'standard',
			options: { callbackUrl: '={{ $execution.resumeUrl }}' },
		}),
		waitForWebhook('Wait for callback', o.waitMinutes),
		kling('Get Status', o.provider, { operation: 'getStatus', taskId: "={{ $('Submit').item.json.taskId }}", options: { downloadVideo: true } }),
	]);
}
