// Credentials and workflows the suite imports into n8n: the README's examples (placeholders replaced
// with emulator URLs and credential ids) and the scenario workflows.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Emulator, ProviderId } from '../emulator';
import { EMULATOR_KEYS } from '../emulator';
import { ROOT } from './install';

export const NODE_TYPE = 'n8n-nodes-kling-motion-control.klingMotionControl';

/** Credential type per provider (the `authentication` value). */
export const CREDENTIAL_TYPES: Record<ProviderId, string> = {
	aiHubMax: 'klingMcAiHubMaxApi',
	evoLink: 'klingMcEvoLinkApi',
	fal: 'klingMcFalApi',
	kling: 'klingMcKlingApi',
	oxen: 'klingMcOxenApi',
	prospolabs: 'klingMcProspolabsApi',
	replicate: 'klingMcReplicateApi',
	waveSpeed: 'klingMcWaveSpeedApi',
};

export const credId = (p: ProviderId): string => `e2e-cred-${p}`;
const credName = (p: ProviderId): string => `${p} (emulator)`;

export function credentials(emu: Emulator): unknown[] {
	return (Object.keys(CREDENTIAL_TYPES) as ProviderId[]).map((p) => {
		const key = EMULATOR_KEYS[p];
		const data: Record<string, string> =
			typeof key === 'string' ? { apiKey: key, baseUrl: emu.baseUrl(p) } : { accessKey: key.accessKey, secretKey: key.secretKey, baseUrl: emu.baseUrl(p) };
		if (p === 'fal') data.storageBaseUrl = emu.falStorageBaseUrl;
		return { id: credId(p), name: credName(p), type: CREDENTIAL_TYPES[p], data };
	});
}

// ---------- helpers to write workflows ----------

type Params = Record<string, unknown>;
interface WfNode {
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
const uuid = (): string => `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;

function node(name: string, type: string, typeVersion: number, parameters: Params, extra: Partial<WfNode> = {}): WfNode {
	return { id: uuid(), name, type, typeVersion, position: [seq * 220, 0], parameters, ...extra };
}

function kling(name: string, provider: ProviderId, parameters: Params, extra: Partial<WfNode> = {}): WfNode {
	return node(name, NODE_TYPE, 1, { authentication: provider, ...parameters }, {
		credentials: { [CREDENTIAL_TYPES[provider]]: { id: credId(provider), name: credName(provider) } },
		...extra,
	});
}

const manual = (): WfNode => node('Start', 'n8n-nodes-base.manualTrigger', 1, {});
const code = (name: string, jsCode: string): WfNode => node(name, 'n8n-nodes-base.code', 2, { mode: 'runOnceForAllItems', language: 'javaScript', jsCode });
const noOp = (name: string): WfNode => node(name, 'n8n-nodes-base.noOp', 1, {});

/** Connects `from` output i to each of `to[i]` (a node name or list). */
function wf(id: string, name: string, nodes: WfNode[], links: Array<[string, string, number?]>): Workflow {
	const connections: Workflow['connections'] = {};
	for (const [from, to, output = 0] of links) {
		const c = (connections[from] ??= { main: [] });
		while (c.main.length <= output) c.main.push([]);
		c.main[output].push({ node: to, type: 'main', index: 0 });
	}
	return { id, name: `e2e: ${name}`, active: false, nodes, connections, settings: { executionOrder: 'v1' } };
}

export const media = (emu: Emulator) => ({
	image: (query = ''): string => `${emu.cdnUrl}/media/char.png?w=768&h=1024${query ? `&${query}` : ''}`,
	video: (seconds = 5): string => `${emu.cdnUrl}/media/clip.mp4?duration=${seconds}&w=720&h=1280`,
});

// ---------- the README's examples ----------

export interface Example {
	file: string;
	workflow: Workflow;
}

/**
 * Every `examples/*.json`, made runnable against the emulator: each `https://example.com/…` URL becomes
 * an emulator media URL (images get the `faults` for that file), each credential `REPLACE_ME` becomes
 * the imported emulator credential of the same type. Anything else left unreplaced is an error.
 */
export function examples(emu: Emulator, faults: Record<string, Record<string, string>>): Example[] {
	const m = media(emu);
	const dir = join(ROOT, 'examples');
	const byType = Object.fromEntries(Object.entries(CREDENTIAL_TYPES).map(([p, t]) => [t, p as ProviderId]));
	return readdirSync(dir)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((file, i) => {
			const raw = readFileSync(join(dir, file), 'utf8');
			const fileFaults = faults[file] ?? {};
			const replaced = raw.replace(/https?:\/\/example\.com\/([\w./-]+)/g, (_url, path: string) => {
				const base = path.split('/').pop() ?? path;
				if (/\.(mp4|mov)$/i.test(base)) return m.video(5);
				if (/\.(png|jpe?g|webp)$/i.test(base)) return m.image(fileFaults[base] ?? '');
				throw new Error(`${file}: placeholder URL ${_url} is neither an image nor a video`);
			});
			const json = JSON.parse(replaced) as Omit<Workflow, 'id' | 'active'> & { id?: string };
			for (const n of json.nodes) {
				for (const [type, ref] of Object.entries(n.credentials ?? {})) {
					const provider = byType[type];
					if (!provider) throw new Error(`${file}: node "${n.name}" uses credential type "${type}", which the package does not define`);
					if (n.type === NODE_TYPE && n.parameters.authentication !== provider)
						throw new Error(`${file}: node "${n.name}" has authentication "${String(n.parameters.authentication)}" but a ${type} credential`);
					ref.id = credId(provider);
					ref.name = credName(provider);
				}
			}
			const left = JSON.stringify(json).match(/REPLACE_ME|example\.com/);
			if (left) throw new Error(`${file}: placeholder "${left[0]}" left after replacement`);
			return { file, workflow: { ...json, id: `e2e-example-${i + 1}`, name: `example: ${json.name}`, active: false, settings: json.settings ?? {} } };
		});
}

// ---------- scenario workflows ----------

export const IDS = {
	download: 'e2e-download-check',
	waitNode: 'e2e-submit-wait-node',
	errorOutput: 'e2e-error-output',
} as const;
export const callbackWorkflowId = (p: ProviderId): string => `e2e-callback-${p}`;
export const callbackPath = (p: ProviderId): string => `kling-e2e-callback-${p}`;

/** (2) Submit and Wait with Download Video → a Code node that checks each binary's bytes and MIME type. */
export function downloadCheck(emu: Emulator, sizes: number[]): Workflow {
	const m = media(emu);
	const rows = sizes.map((bytes, i) => ({ image: m.image(`emu_bytes=${bytes}&row=${i}`), video: m.video(5) }));
	const check = `
const items = $input.all();
const out = [];
for (let i = 0; i < items.length; i++) {
  const meta = items[i].binary && items[i].binary.data;
  if (!meta) throw new Error('item ' + i + ' has no binary "data"');
  const buf = await this.helpers.getBinaryDataBuffer(i, 'data');
  const magic = buf.subarray(4, 8).toString('latin1');
  if (meta.mimeType !== 'video/mp4') throw new Error('item ' + i + ': mimeType ' + meta.mimeType);
  if (magic !== 'ftyp') throw new Error('item ' + i + ': not an MP4 (bytes 4-8: ' + magic + ')');
  out.push({ json: { taskId: items[i].json.taskId, size: buf.length, mimeType: meta.mimeType, fileName: meta.fileName, magic, storedAs: meta.id ? meta.id.split(':')[0] : 'inline' } });
}
return out;`;
	return wf(
		IDS.download,
		'submit and wait, download, check the binary',
		[
			manual(),
			code('Rows', `return ${JSON.stringify(rows.map((json) => ({ json })))};`),
			kling('Kling Motion Control', 'replicate', {
				operation: 'submitAndWait',
				imageUrl: '={{ $json.image }}',
				videoUrl: '={{ $json.video }}',
				characterOrientation: 'image',
				quality: 'standard',
				options: { downloadVideo: true, pollInterval: 1, timeout: 2 },
			}),
			code('Check binary', check),
		],
		[
			['Start', 'Rows'],
			['Rows', 'Kling Motion Control'],
			['Kling Motion Control', 'Check binary'],
		],
	);
}

/** (3) Submit → n8n's Wait node (a few seconds) → Wait for Completion. */
export function submitWaitNode(emu: Emulator, jobMs: number, waitSeconds: number): Workflow {
	const m = media(emu);
	return wf(
		IDS.waitNode,
		'submit, Wait node, wait for completion',
		[
			manual(),
			kling('Submit', 'kling', {
				operation: 'submit',
				imageUrl: m.image(`emu_ms=${jobMs}`),
				videoUrl: m.video(5),
				characterOrientation: 'image',
				quality: 'pro',
				prompt: 'The character dances',
			}),
			node('Wait', 'n8n-nodes-base.wait', 1.1, { resume: 'timeInterval', amount: waitSeconds, unit: 'seconds' }, { webhookId: uuid() }),
			kling('Wait for Completion', 'kling', { operation: 'waitForCompletion', taskId: '={{ $json.taskId }}', options: { pollInterval: 1, timeout: 2 } }),
		],
		[
			['Start', 'Submit'],
			['Submit', 'Wait'],
			['Wait', 'Wait for Completion'],
		],
	);
}

/** (4) One good and one failing task under "Continue (using error output)". */
export function errorOutput(emu: Emulator, failMessage: string): Workflow {
	const m = media(emu);
	const rows = [
		{ image: m.image('row=good'), video: m.video(5) },
		{ image: m.image(`row=bad&emu=fail&emu_fail=${encodeURIComponent(failMessage)}`), video: m.video(5) },
	];
	return wf(
		IDS.errorOutput,
		'failed task on the error output',
		[
			manual(),
			code('Rows', `return ${JSON.stringify(rows.map((json) => ({ json })))};`),
			kling(
				'Kling Motion Control',
				'fal',
				{
					operation: 'submitAndWait',
					imageUrl: '={{ $json.image }}',
					videoUrl: '={{ $json.video }}',
					characterOrientation: 'image',
					quality: 'standard',
					options: { pollInterval: 1, timeout: 2 },
				},
				{ onError: 'continueErrorOutput' },
			),
			noOp('Succeeded'),
			noOp('Failed'),
		],
		[
			['Start', 'Rows'],
			['Rows', 'Kling Motion Control'],
			['Kling Motion Control', 'Succeeded', 0],
			['Kling Motion Control', 'Failed', 1],
		],
	);
}

/** (5) Webhook trigger → Submit with callbackUrl = resumeUrl → Wait "On Webhook Call" → Get Status. */
export function callbackServer(provider: ProviderId): Workflow {
	return wf(
		callbackWorkflowId(provider),
		`webhook, submit with callback (${provider}), wait for the callback, get status`,
		[
			node('Webhook', 'n8n-nodes-base.webhook', 2, { httpMethod: 'POST', path: callbackPath(provider), responseMode: 'onReceived', options: {} }, { webhookId: uuid() }),
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
				{ resume: 'webhook', httpMethod: 'POST', limitWaitTime: true, limitType: 'afterTimeInterval', resumeAmount: 10, resumeUnit: 'minutes', options: {} },
				{ webhookId: uuid() },
			),
			kling('Get Status', provider, { operation: 'getStatus', taskId: "={{ $('Submit').item.json.taskId }}", options: { downloadVideo: true } }),
		],
		[
			['Webhook', 'Submit'],
			['Submit', 'Wait for callback'],
			['Wait for callback', 'Get Status'],
		],
	);
}
