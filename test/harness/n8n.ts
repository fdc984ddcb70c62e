/**
 * Runs workflows through n8n's real execution engine (n8n-core WorkflowExecute), with real
 * parameter/expression resolution, credential injection as packages/cli does it, and real binary
 * storage (filesystem mode). After shared/research/runtime.md §1.3.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// InstanceSettings writes <N8N_USER_FOLDER>/.n8n/config: keep it (and binaries) in a temp folder.
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'kling-mc-n8n-'));
process.env.N8N_USER_FOLDER ??= tmpRoot;
process.env.N8N_BINARY_DATA_STORAGE_PATH ??= path.join(tmpRoot, 'binary');

import 'reflect-metadata';
import { Container } from '@n8n/di';
import { BinaryDataService, Credentials, ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	createRunExecutionData,
	ICredentialsHelper,
	NodeHelpers,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IConnections,
	type IHttpRequestOptions,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IRunExecutionData,
	type IVersionedNodeType,
	type IWorkflowExecuteAdditionalData,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

class NodeTypes implements INodeTypes {
	constructor(private readonly types: Record<string, INodeType | IVersionedNodeType>) {}
	getByName(type: string) {
		return this.types[type];
	}
	getByNameAndVersion(type: string, version?: number) {
		return NodeHelpers.getVersionedNodeType(this.types[type], version);
	}
	getKnownTypes() {
		return {};
	}
}

/** Mirrors packages/cli/src/credentials-helper.ts authenticate() for function and 'generic' auth. */
class TestCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly types: Record<string, ICredentialType>,
		private readonly data: Record<string, ICredentialDataDecryptedObject>,
	) {
		super();
	}
	getParentTypes() {
		return [];
	}
	async getDecrypted(_a: IWorkflowExecuteAdditionalData, _n: unknown, type: string) {
		const data = this.data[type];
		if (!data) throw new Error(`No credentials of type ${type} in this test`);
		return { ...data };
	}
	async getCredentials() {
		return new Credentials({ id: null, name: '' }, '', '');
	}
	async updateCredentials() {}
	async updateCredentialsOauthTokenData() {}
	getCredentialsProperties() {
		return [];
	}
	async preAuthentication() {
		return undefined;
	}
	async runPreAuthentication() {
		return undefined;
	}
	isCredentialUsableByNode() {
		return true;
	}
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow?: Workflow,
		node?: INode,
	) {
		const auth = this.types[typeName]?.authenticate;
		if (typeof auth === 'function') return await auth(credentials, requestOptions);
		if (auth?.type === 'generic') {
			const resolve = (v: unknown) =>
				typeof v === 'string' && v.startsWith('=')
					? String(
							workflow!.expression.getSimpleParameterValue(
								node!,
								v,
								'internal',
								{ $credentials: credentials },
								undefined,
								'',
							) ?? '',
						)
					: (v as string);
			for (const [outerKey, outerValue] of Object.entries(auth.properties)) {
				const target = ((requestOptions as unknown as Record<string, Record<string, unknown>>)[outerKey] ??= {});
				for (const [k, v] of Object.entries(outerValue as object)) target[resolve(k)] = resolve(v);
			}
		}
		return requestOptions;
	}
}

let binaryReady: Promise<void> | undefined;
/** Filesystem binary storage, as a default n8n 2.x instance has. */
export async function initBinaryData(): Promise<void> {
	binaryReady ??= Container.get(BinaryDataService).init();
	await binaryReady;
}

export function binaryService(): BinaryDataService {
	return Container.get(BinaryDataService);
}

export interface RunOptions {
	nodes: INode[];
	connections?: IConnections;
	nodeTypes: Record<string, INodeType | IVersionedNodeType>;
	credentialTypes?: Record<string, ICredentialType>;
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	startNode: string;
	input?: INodeExecutionData[];
	mode?: WorkflowExecuteMode;
	/** Stop the execution (as "Stop execution" / an execution timeout does) after this many ms. */
	cancelAfterMs?: number;
}

let executionCounter = 0;

export async function runWorkflow(options: RunOptions) {
	await initBinaryData();
	const executionId = `exec-${process.pid}-${++executionCounter}-${Date.now().toString(36)}`;
	const workflowData = {
		id: 'wf',
		name: 'test',
		nodes: options.nodes,
		connections: options.connections ?? {},
		active: false,
		settings: {},
	};
	const workflow = new Workflow({ ...workflowData, nodeTypes: new NodeTypes(options.nodeTypes) });
	const hooks = new ExecutionLifecycleHooks(options.mode ?? 'manual', executionId, {
		...workflowData,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
	} as never);
	let resolveRun: (run: IRun) => void = () => {};
	const done = new Promise<IRun>((resolve) => (resolveRun = resolve));
	hooks.addHandler('workflowExecuteAfter', (run) => resolveRun(run));
	const additionalData = {
		hooks,
		executionId,
		currentNodeExecutionIndex: 0,
		variables: {},
		credentialsHelper: new TestCredentialsHelper(options.credentialTypes ?? {}, options.credentials ?? {}),
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678/',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		formBaseUrl: 'http://localhost:5678/form',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		formTestBaseUrl: 'http://localhost:5678/form-test',
		mcpBaseUrl: '',
		mcpTestBaseUrl: '',
		logAiEvent: () => {},
		setExecutionStatus: () => {},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		executeWorkflow: async () => {
			throw new Error('executeWorkflow not supported');
		},
		startRunnerTask: async () => {
			throw new Error('startRunnerTask not supported');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
	const runExecutionData: IRunExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [
				{
					node: workflow.getNode(options.startNode)!,
					data: { main: [options.input ?? [{ json: {} }]] },
					source: null,
				},
			],
		},
	});
	const execution = new WorkflowExecute(additionalData, options.mode ?? 'manual', runExecutionData);
	const started = execution.processRunExecutionData(workflow);
	let timer: NodeJS.Timeout | undefined;
	if (options.cancelAfterMs !== undefined) {
		timer = setTimeout(() => started.cancel(), options.cancelAfterMs);
	}
	await started.catch(() => undefined);
	const run = await done;
	if (timer) clearTimeout(timer);
	const output = (name: string, runIndex = 0, outputIndex = 0) =>
		run.data.resultData.runData[name]?.[runIndex]?.data?.main?.[outputIndex] ?? undefined;
	return { run, output, executionId };
}
