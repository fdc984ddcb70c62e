import type {
	IConnections,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import path from 'node:path';

import { KlingMcAiHubMaxApi } from '../../credentials/KlingMcAiHubMaxApi.credentials';
import { KlingMcEvoLinkApi } from '../../credentials/KlingMcEvoLinkApi.credentials';
import { KlingMcFalApi } from '../../credentials/KlingMcFalApi.credentials';
import { KlingMcKieApi } from '../../credentials/KlingMcKieApi.credentials';
import { KlingMcKlingApi } from '../../credentials/KlingMcKlingApi.credentials';
import { KlingMcNovitaApi } from '../../credentials/KlingMcNovitaApi.credentials';
import { KlingMcOxenApi } from '../../credentials/KlingMcOxenApi.credentials';
import { KlingMcProspolabsApi } from '../../credentials/KlingMcProspolabsApi.credentials';
import { KlingMcReplicateApi } from '../../credentials/KlingMcReplicateApi.credentials';
import { KlingMcWaveSpeedApi } from '../../credentials/KlingMcWaveSpeedApi.credentials';
import type { KlingMotionControl } from '../../nodes/KlingMotionControl/KlingMotionControl.node';
import { PROVIDERS } from '../../nodes/KlingMotionControl/providers';
import type { ProviderId } from '../../nodes/KlingMotionControl/providers/types';
import type { Emulator } from '../emulator';
import { binaryService, runWorkflow } from './n8n';

export const NODE_TYPE = 'n8n-nodes-kling-motion-control.klingMotionControl';
export const ALL_PROVIDERS = Object.keys(PROVIDERS).sort() as ProviderId[];

export const credentialTypes: Record<string, ICredentialType> = Object.fromEntries(
	[
		new KlingMcAiHubMaxApi(),
		new KlingMcEvoLinkApi(),
		new KlingMcFalApi(),
		new KlingMcKieApi(),
		new KlingMcKlingApi(),
		new KlingMcNovitaApi(),
		new KlingMcOxenApi(),
		new KlingMcProspolabsApi(),
		new KlingMcReplicateApi(),
		new KlingMcWaveSpeedApi(),
	].map((type) => [type.name, type]),
);

/** The credential a user would save, pointed at the emulator. */
export function credentialsFor(
	emu: Emulator,
	provider: ProviderId,
	override: IDataObject = {},
): Record<string, ICredentialDataDecryptedObject> {
	const type = PROVIDERS[provider].credentialType;
	let data: ICredentialDataDecryptedObject;
	if (provider === 'kling') {
		data = { ...emu.keys.kling, baseUrl: emu.baseUrl('kling') };
	} else {
		data = { apiKey: (emu.keys as unknown as Record<string, string>)[provider], baseUrl: emu.baseUrl(provider) };
		if (provider === 'fal') data.storageBaseUrl = emu.falStorageBaseUrl;
	}
	return { [type]: { ...data, ...override } as ICredentialDataDecryptedObject };
}

/** A downstream node that reads each incoming binary back from n8n's storage, like a posting node would. */
class Inspect implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Inspect',
		name: 'inspect',
		group: ['transform'],
		version: 1,
		description: 'test helper',
		defaults: { name: 'Inspect' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		for (const [index, item] of items.entries()) {
			const binaries: IDataObject = {};
			for (const [key, meta] of Object.entries(item.binary ?? {})) {
				const buffer = await this.helpers.getBinaryDataBuffer(index, key);
				binaries[key] = {
					bytes: buffer.length,
					head: buffer.subarray(4, 8).toString('latin1'),
					mimeType: meta.mimeType,
					fileName: meta.fileName ?? null,
				};
			}
			out.push({ json: { ...item.json, readBack: binaries }, pairedItem: { item: index } });
		}
		return [out];
	}
}

/**
 * The node from its TypeScript source. Required with its extension: under ts-node, plain
 * `KlingMotionControl.node` would resolve to the codex file `KlingMotionControl.node.json` first.
 */
function sourceNode(): INodeType {
	const module = require(path.join(__dirname, '../../nodes/KlingMotionControl/KlingMotionControl.node.ts')) as {
		KlingMotionControl: typeof KlingMotionControl;
	};
	return new module.KlingMotionControl();
}

type FileSpec = { bytes: Buffer; fileName: string; mimeType: string };

/** A node that emits the given files as binary items, stored the way any n8n node stores them. */
function filesNode(files: Array<Record<string, FileSpec>>): INodeType {
	return {
		description: {
			displayName: 'Files',
			name: 'files',
			group: ['input'],
			version: 1,
			description: 'test helper',
			defaults: { name: 'Files' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			properties: [],
		},
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			const out: INodeExecutionData[] = [];
			for (const [index, entry] of files.entries()) {
				const binary: INodeExecutionData['binary'] = {};
				for (const [key, file] of Object.entries(entry)) {
					binary[key] = await this.helpers.prepareBinaryData(file.bytes, file.fileName, file.mimeType);
				}
				out.push({ json: { index }, binary, pairedItem: { item: 0 } });
			}
			return [out];
		},
	};
}

export interface KlingRun {
	provider: ProviderId;
	parameters: IDataObject;
	input?: INodeExecutionData[];
	onError?: INode['onError'];
	/** n8n's node setting Retry On Fail: how many tries in all (waitBetweenTries 0). */
	retryOnFail?: number;
	credentialOverride?: IDataObject;
	inspect?: boolean;
	cancelAfterMs?: number;
	/**
	 * Files an earlier node outputs (stored in n8n's filesystem binary storage by a real node
	 * calling prepareBinaryData), one input item per entry. Replaces `input`.
	 */
	files?: Array<Record<string, FileSpec>>;
	/** The node class to run; defaults to the TypeScript source (the demo passes the built dist/ class). */
	nodeType?: INodeType;
	/** Run it as n8n runs an AI Agent tool node: type `…klingMotionControlTool` (see toolVariant). */
	asTool?: boolean;
}

/**
 * The node as n8n's loader makes its AI Agent tool variant (packages/cli convertNodeToAiTool): the
 * description's name + "Tool". Inputs and outputs stay `main` so the harness can feed the node; the
 * node only looks at its type name.
 */
export function toolVariant(base: INodeType): INodeType {
	const description = { ...base.description, name: `${base.description.name}Tool`, displayName: `${base.description.displayName} Tool` };
	return Object.assign(Object.create(base) as INodeType, { description });
}

export async function runKling(emu: Emulator, options: KlingRun) {
	return await runKlingWith(credentialsFor(emu, options.provider, options.credentialOverride), options);
}

/** Runs the node with the given saved credentials (an emulator's, or a real provider's for the demo). */
export async function runKlingWith(credentials: Record<string, ICredentialDataDecryptedObject>, options: KlingRun) {
	const provider = options.provider;
	const kling: INode = {
		id: 'a1b2c3d4-0000-4000-8000-000000000001',
		name: 'Kling',
		type: options.asTool ? `${NODE_TYPE}Tool` : NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { authentication: provider, ...options.parameters },
		credentials: { [PROVIDERS[provider].credentialType]: { id: 'cred-1', name: 'test credential' } },
		...(options.onError ? { onError: options.onError } : {}),
		...(options.retryOnFail ? { retryOnFail: true, maxTries: options.retryOnFail, waitBetweenTries: 0 } : {}),
	};
	const nodes: INode[] = [kling];
	const files = options.files;
	if (files) {
		nodes.push({ id: 'files-1', name: 'Files', type: 'test.files', typeVersion: 1, position: [-200, 0], parameters: {} });
	}
	const connections: IConnections = options.inspect
		? { Kling: { main: [[{ node: 'Inspect', type: NodeConnectionTypes.Main, index: 0 }]] } }
		: {};
	if (files) connections.Files = { main: [[{ node: 'Kling', type: NodeConnectionTypes.Main, index: 0 }]] };
	if (options.inspect) {
		nodes.push({ id: 'inspect-1', name: 'Inspect', type: 'test.inspect', typeVersion: 1, position: [200, 0], parameters: {} });
	}
	const result = await runWorkflow({
		nodes,
		connections,
		nodeTypes: { [options.asTool ? `${NODE_TYPE}Tool` : NODE_TYPE]: options.asTool ? toolVariant(options.nodeType ?? sourceNode()) : (options.nodeType ?? sourceNode()), 'test.inspect': new Inspect(), 'test.files': filesNode(files ?? []) },
		credentialTypes,
		credentials,
		startNode: files ? 'Files' : 'Kling',
		input: options.input,
		cancelAfterMs: options.cancelAfterMs,
	});
	const error = result.run.data.resultData.error;
	return {
		...result,
		items: result.output('Kling') ?? [],
		errorItems: result.output('Kling', 0, 1) ?? [],
		inspected: result.output('Inspect') ?? [],
		error,
		status: result.run.status,
	};
}

export async function readBinary(id: string): Promise<Buffer> {
	return await binaryService().getAsBuffer({ id } as never);
}

/** Input items built from image/video URLs, one per entry. */
export function urlItems(emu: Emulator, count: number, fault = ''): INodeExecutionData[] {
	return Array.from({ length: count }, (_, index) => ({
		json: {
			image: `${emu.cdnUrl}/media/char.png?w=720&h=1280&n=${index}${fault ? `&emu=${fault}` : ''}`,
			video: `${emu.cdnUrl}/media/clip.mp4?duration=5&w=720&h=1280&n=${index}`,
		},
	}));
}
