// (6) Kling Motion Control as AI Agent tools inside real n8n: AI Agent → OpenAI Chat Model (an OpenAI
// credential whose Base URL is the local fake model, fakeModel.ts) → the node's operations as tools,
// against the provider emulator. The fake model calls the tools in a scripted order and records what
// n8n sends it: the tool schema and every tool result.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { TOOL_DESCRIPTIONS } from '../../nodes/KlingMotionControl/tool.description';
import type { Emulator } from '../emulator';
import type { Conversation, FakeModel, Script, ToolResult, Turn } from './fakeModel';
import { conversationOf } from './fakeModel';
import { CACHE, CREDENTIAL_TYPES, credId, media, NODE_TYPE, ROOT } from '../e2e-shared';

export const TOOL_TYPE = `${NODE_TYPE}Tool`;
const AGENT_TYPE = '@n8n/n8n-nodes-langchain.agent';
/** AI Agent version per n8n major: 2.41 has 3.1 (default), 1.123 has 3 at most. */
export const agentVersionFor = (n8nVersion: string): number => (n8nVersion.startsWith('1.') ? 3 : 3.1);
const CHAT_MODEL = { type: '@n8n/n8n-nodes-langchain.lmChatOpenAi', typeVersion: 1.3 };
export const OPENAI_CRED = { id: 'e2e-cred-fake-openai', name: 'fake OpenAI (e2e)' };

/** The example that needs a chat model: scenario 1 leaves it out; scenario 6 runs it against the fake model. */
export const AGENT_EXAMPLE = 'ai-agent-tool.json';
export const AGENT_IDS = { tools: 'e2e-agent-tools', example: 'e2e-agent-example' } as const;

/** Compact-result bound the issue sets for the emulator (its URLs are short; see README "what the model sees"). */
export const MAX_RESULT_CHARS = 800;

export function openAiCredential(model: FakeModel): unknown {
	return { ...OPENAI_CRED, type: 'openAiApi', data: { apiKey: 'sk-e2e-fake-model', url: model.baseUrl, header: false } };
}

/** The tools of the detailed scenario: node name → tool name (n8n: non-word characters → "_"). */
export const TOOLS = {
	submitAndWait: 'Submit and Wait',
	submit: 'Submit',
	getStatus: 'Get Status',
	waitForCompletion: 'Wait for Completion',
	quick: 'Quick Submit and Wait',
} as const;
export const toolName = (node: string): string => node.replace(/[^a-zA-Z0-9_-]+/g, '_');

type Params = Record<string, unknown>;
interface Node {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Params;
	credentials?: Record<string, { id: string; name: string }>;
}
type Connections = Record<string, Record<string, Array<Array<{ node: string; type: string; index: number }>>>>;

let seq = 0;
const id = (): string => `00000000-0000-4000-9000-${String(++seq).padStart(12, '0')}`;

type WorkflowJson = { id: string } & Record<string, unknown>;

function agentWorkflow(wfId: string, name: string, prompt: string, tools: Node[], agentVersion: number): WorkflowJson {
	const nodes: Node[] = [
		{ id: id(), name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{ id: id(), name: 'AI Agent', type: AGENT_TYPE, typeVersion: agentVersion, position: [220, 0], parameters: { promptType: 'define', text: prompt, options: { maxIterations: 12 } } },
		{
			id: id(),
			name: 'OpenAI Chat Model',
			...CHAT_MODEL,
			position: [120, 220],
			parameters: { model: { __rl: true, mode: 'id', value: 'gpt-4.1-mini' }, responsesApiEnabled: false, options: {} },
			credentials: { openAiApi: OPENAI_CRED },
		},
		...tools,
	];
	const connections: Connections = {
		Start: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
		'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
	};
	for (const t of tools) connections[t.name] = { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] };
	return { id: wfId, name: `e2e: ${name}`, active: false, nodes, connections, settings: { executionOrder: 'v1' } };
}

function klingTool(name: string, parameters: Params, i: number): Node {
	return {
		id: id(),
		name,
		type: TOOL_TYPE,
		typeVersion: 1,
		position: [300 + i * 160, 220],
		parameters: { authentication: 'fal', ...parameters },
		credentials: { [CREDENTIAL_TYPES.fal]: { id: credId('fal'), name: 'fal (emulator)' } },
	};
}

/**
 * The detailed scenario: every parameter the model fills is left to the tool variant's `$fromAI`
 * defaults (the workflow sets only operation and options), as a user who adds the tools does.
 */
export function agentToolsWorkflow(agentVersion = 3.1): WorkflowJson {
	const fast = { pollInterval: 1, timeout: 2 };
	return agentWorkflow(AGENT_IDS.tools, 'AI Agent with Kling Motion Control tools', 'Make the videos of the e2e script. [script:tools]', [
		klingTool(TOOLS.submitAndWait, { operation: 'submitAndWait', options: fast }, 0),
		klingTool(TOOLS.submit, { operation: 'submit', options: {} }, 1),
		klingTool(TOOLS.getStatus, { operation: 'getStatus', options: { pollInterval: 4 } }, 2),
		klingTool(TOOLS.waitForCompletion, { operation: 'waitForCompletion', options: fast }, 3),
		// times out after 3 s: the model must resume the task with Wait for Completion
		klingTool(TOOLS.quick, { operation: 'submitAndWait', options: { pollInterval: 1, timeout: 0.05 } }, 4),
	], agentVersion);
}

/** examples/ai-agent-tool.json made runnable: placeholder URLs → emulator media, credentials → emulator / fake model. */
export function agentExampleWorkflow(emu: Emulator, agentVersion = 3.1): WorkflowJson {
	const m = media(emu);
	const raw = readFileSync(join(ROOT, 'examples', AGENT_EXAMPLE), 'utf8')
		.replace(/https?:\/\/example\.com\/[\w./-]+\.(png|jpe?g)/g, m.image('row=agent-example'))
		.replace(/https?:\/\/example\.com\/[\w./-]+\.(mp4|mov)/g, m.video(5));
	const json = JSON.parse(raw) as { nodes: Node[]; name: string };
	for (const n of json.nodes) {
		if (n.type === AGENT_TYPE) n.typeVersion = agentVersion;
		for (const [type, ref] of Object.entries(n.credentials ?? {})) {
			if (type === 'openAiApi') Object.assign(ref, OPENAI_CRED);
			else if (type === CREDENTIAL_TYPES[n.parameters.authentication as keyof typeof CREDENTIAL_TYPES]) {
				ref.id = credId(n.parameters.authentication as keyof typeof CREDENTIAL_TYPES);
				ref.name = `${String(n.parameters.authentication)} (emulator)`;
			} else throw new Error(`${AGENT_EXAMPLE}: node "${n.name}" has an unexpected credential ${type}`);
		}
	}
	const left = JSON.stringify(json).match(/REPLACE_ME|example\.com/);
	if (left) throw new Error(`${AGENT_EXAMPLE}: placeholder "${left[0]}" left after replacement`);
	return { ...json, id: AGENT_IDS.example, name: `example: ${json.name}`, active: false };
}

// ---------- what the fake model does ----------

/** The task id in a tool result: the json's taskId, or "Task <id> at …" in an error text. */
export function taskIdIn(content: string): string | undefined {
	const json = /"taskId"\s*:\s*"([^"]+)"/.exec(content);
	if (json) return json[1];
	return /[Tt]ask ([A-Za-z0-9_.:-]+) at /.exec(content)?.[1];
}

const byDescription = (c: Conversation, start: string): string => {
	const tool = c.tools.find((t) => t.description.startsWith(start));
	if (!tool) throw new Error(`no tool whose description starts with "${start}" (tools: ${c.tools.map((t) => t.name).join(', ')})`);
	return tool.name;
};

export function agentScript(emu: Emulator): Script {
	const m = media(emu);
	const video = m.video(5);
	const steps: Array<(c: Conversation) => Turn> = [
		// 0: the happy path, blocking
		() => ({ tool: toolName(TOOLS.submitAndWait), args: { imageUrl: m.image('row=agent-happy'), videoUrl: video, characterOrientation: 'image', quality: 'standard' } }),
		// 1: submit only (a job long enough to be running when Get Status looks)
		() => ({ tool: toolName(TOOLS.submit), args: { imageUrl: m.image('row=agent-submit&emu_ms=6000'), videoUrl: video, prompt: 'The character dances' } }),
		// 2: Get Status of it
		(c) => ({ tool: toolName(TOOLS.getStatus), args: { taskId: taskIdIn(c.results[1].content) ?? 'missing' } }),
		// 3: a task the provider fails
		() => ({ tool: toolName(TOOLS.submitAndWait), args: { imageUrl: m.image('row=agent-fail&emu=fail&emu_fail=E2E%3A%20no%20character%20found'), videoUrl: video } }),
		// 4: a task longer than the tool's timeout
		() => ({ tool: toolName(TOOLS.quick), args: { imageUrl: m.image('row=agent-timeout&emu_ms=8000'), videoUrl: video } }),
		// 5: resume it by the task id the timeout error names
		(c) => ({ tool: toolName(TOOLS.waitForCompletion), args: { taskId: taskIdIn(c.results[4].content) ?? 'missing' } }),
		// 6: and the submitted one
		(c) => ({ tool: toolName(TOOLS.waitForCompletion), args: { taskId: taskIdIn(c.results[1].content) ?? 'missing' } }),
	];
	return (c) => {
		if (c.userText.includes('[script:tools]')) {
			const step = steps[c.results.length];
			return step ? step(c) : { text: `Done: ${c.results.length} tool calls.` };
		}
		// the example: make the video, resume it after a timeout, answer with the link
		if (c.results.length === 0) {
			const urls = c.userText.match(/https?:\/\/\S+/g) ?? [];
			const imageUrl = urls.find((u) => /\.(png|jpe?g)/.test(u));
			const videoUrl = urls.find((u) => /\.(mp4|mov)/.test(u));
			return { tool: byDescription(c, 'Make a Kling'), args: { imageUrl, videoUrl, characterOrientation: 'image', quality: 'standard' } };
		}
		const last = c.results[c.results.length - 1];
		const url = /"videoUrl"\s*:\s*"([^"]+)"/.exec(last.content)?.[1];
		if (url) return { text: `Here is your video: ${url}` };
		const taskId = taskIdIn(last.content);
		if (taskId && c.results.length < 4) return { tool: byDescription(c, 'Wait for an existing'), args: { taskId } };
		return { text: `Could not make the video: ${last.content.slice(0, 200)}` };
	};
}

// ---------- checks ----------

/** The json object(s) of a tool result (n8n sends the items' json as a JSON array). */
export function resultJson(r: ToolResult): Record<string, unknown> | undefined {
	try {
		const parsed = JSON.parse(r.content) as unknown;
		const first = Array.isArray(parsed) ? (parsed[0] as unknown) : parsed;
		if (first && typeof first === 'object') {
			const o = first as Record<string, unknown>;
			// some agent versions wrap it: {response: [...]}
			if (Array.isArray(o.response)) return o.response[0] as Record<string, unknown>;
			return o;
		}
	} catch {
		/* an error text */
	}
	return undefined;
}

export const expectedDescriptions = (): Record<string, string> => ({
	[toolName(TOOLS.submitAndWait)]: TOOL_DESCRIPTIONS.submitAndWait,
	[toolName(TOOLS.submit)]: TOOL_DESCRIPTIONS.submit,
	[toolName(TOOLS.getStatus)]: TOOL_DESCRIPTIONS.getStatus,
	[toolName(TOOLS.waitForCompletion)]: TOOL_DESCRIPTIONS.waitForCompletion,
	[toolName(TOOLS.quick)]: TOOL_DESCRIPTIONS.submitAndWait,
});

// ---------- the scenario ----------

interface Check {
	ok(cond: unknown, msg: string): asserts cond;
	eq(actual: unknown, expected: unknown, what: string): void;
}
interface RunLike {
	status?: string;
	finished?: boolean;
	data: { resultData: { runData: Record<string, Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> } }>>; error?: { message?: string } } };
}
interface Deps {
	label: string;
	emu: Emulator;
	model: FakeModel;
	execute: (id: string) => Promise<{ run: RunLike; seconds: number }>;
	scenario: (target: string, name: string, fn: () => Promise<string>) => Promise<void>;
	check: (where: string) => Check;
}

function agentOutput(run: RunLike): string {
	const out = run.data.resultData.runData['AI Agent']?.at(-1)?.data?.main?.[0]?.[0]?.json.output;
	return String(out ?? '');
}

const FORBIDDEN_KEYS = ['providerResponse', 'costRule', 'costSource', 'videoUrls', 'preflight', 'checkedAt'];

export async function agentScenarios(d: Deps): Promise<void> {
	const { label, emu, model } = d;
	await d.scenario(label, '6 AI Agent: tools, descriptions, compact results, failure, timeout → resume', async () => {
		const c: Check = d.check('agent');
		const first = model.requests.length;
		const submitsBefore = emu.tasks('fal').length;
		const { run, seconds } = await d.execute(AGENT_IDS.tools);
		const requests = model.requests.slice(first);
		c.eq(model.errors, [], 'fake model errors');
		c.ok(requests.length > 0, 'the agent never called the model');
		c.ok(run.status === 'success' || (run.status === undefined && run.finished), `execution status ${run.status}: ${run.data.resultData.error?.message ?? ''}`);
		// the tool schema: one description per operation
		const tools = requests[0].body.tools?.map((t) => t.function) ?? [];
		const expected = expectedDescriptions();
		c.eq(tools.map((t) => t.name).sort(), Object.keys(expected).sort(), 'tool names');
		for (const t of tools) c.eq(t.description, expected[t.name], `description of tool ${t.name}`);
		c.eq(new Set(tools.map((t) => t.description)).size, 4, 'distinct descriptions');
		const schema = tools.find((t) => t.name === toolName(TOOLS.submitAndWait))?.parameters as { properties?: Record<string, { description?: string }>; required?: string[] };
		for (const key of ['imageUrl', 'videoUrl', 'prompt', 'characterOrientation', 'quality']) c.ok(schema?.properties?.[key]?.description, `Submit and Wait schema has no described "${key}": ${JSON.stringify(schema)}`);
		c.ok(schema.required?.includes('imageUrl') && schema.required.includes('videoUrl'), `imageUrl/videoUrl not required: ${JSON.stringify(schema.required)}`);
		c.ok(!schema.required?.includes('prompt'), `prompt is required: ${JSON.stringify(schema.required)}`);
		const statusSchema = tools.find((t) => t.name === toolName(TOOLS.getStatus))?.parameters as { properties?: Record<string, unknown> };
		c.eq(Object.keys(statusSchema?.properties ?? {}), ['taskId'], 'Get Status schema keys');

		const results = conversationOf(requests[requests.length - 1].body).results;
		// what the model got (tools and results), for a look: .cache/e2e/agent-model-<target>.json
		writeFileSync(join(CACHE, `agent-model-${label}.json`), JSON.stringify({ tools: requests[0].body.tools, results }, null, 2));
		c.eq(results.length, 7, `tool results reaching the model (${results.map((r) => `${r.tool}: ${r.content.slice(0, 80)}`).join(' | ')})`);
		const task = (row: string) => emu.tasks('fal').find((x) => JSON.stringify(x).includes(`row=${row}`));
		// 0: Submit and Wait → compact, complete
		const r0 = resultJson(results[0]);
		c.ok(results[0].content.length <= MAX_RESULT_CHARS, `Submit and Wait result is ${results[0].content.length} chars (> ${MAX_RESULT_CHARS}): ${results[0].content}`);
		c.ok(r0, `Submit and Wait result is not JSON: ${results[0].content}`);
		c.eq(r0.status, 'completed', 'Submit and Wait status');
		c.eq(r0.taskId, task('agent-happy')?.id, 'Submit and Wait taskId');
		c.ok(typeof r0.videoUrl === 'string' && /^https?:\/\//.test(r0.videoUrl), `videoUrl ${String(r0.videoUrl)}`);
		for (const k of FORBIDDEN_KEYS) c.ok(!(k in r0), `compact result carries ${k}`);
		c.eq(r0.durationSeconds, 5, 'Submit and Wait durationSeconds (the 5 s motion video)');
		c.ok('urlExpiresAt' in r0 && typeof r0.estimatedCostUsd === 'number', `Submit and Wait result lacks urlExpiresAt / estimatedCostUsd: ${results[0].content}`);
		// 1–2: Submit, then Get Status says when to look again
		const r1 = resultJson(results[1]);
		const r2 = resultJson(results[2]);
		c.ok(r1 && r2, `Submit / Get Status results not JSON: ${results[1].content} | ${results[2].content}`);
		c.ok(['queued', 'processing'].includes(String(r1.status)), `Submit status ${String(r1.status)}`);
		c.eq(r2.taskId, r1.taskId, 'Get Status taskId');
		c.ok(['queued', 'processing'].includes(String(r2.status)), `Get Status status ${String(r2.status)} (the job runs 6 s)`);
		c.ok(typeof r2.nextCheckAfterSeconds === 'number' && r2.nextCheckAfterSeconds >= 4, `Get Status nextCheckAfterSeconds ${String(r2.nextCheckAfterSeconds)}`);
		// 3: a failed task reaches the model with its task id
		const failed = task('agent-fail');
		c.ok(failed, 'the emulator has no failing task');
		c.ok(results[3].content.includes(failed.id), `the failure the model got does not name task ${failed.id}: ${results[3].content}`);
		c.ok(results[3].content.includes('no character found'), `the failure the model got lacks the provider message: ${results[3].content}`);
		// 4–5: timeout → Wait for Completion with the task id from the error
		const slow = task('agent-timeout');
		c.ok(slow, 'the emulator has no timeout task');
		c.ok(results[4].content.includes(slow.id) && /timeout/i.test(results[4].content), `the timeout the model got does not name task ${slow.id}: ${results[4].content}`);
		const r5 = resultJson(results[5]);
		c.ok(r5, `Wait for Completion result not JSON: ${results[5].content}`);
		c.eq(r5.taskId, slow.id, 'resumed taskId');
		c.eq(r5.status, 'completed', 'resumed status');
		const r6 = resultJson(results[6]);
		c.eq(r6?.status, 'completed', 'submitted task, waited');
		c.eq(emu.tasks('fal').length - submitsBefore, 4, 'tasks submitted (happy, submit, failed, timed out: the resume paid nothing)');
		c.eq(emu.stats().duplicateSubmits, 0, 'duplicate submits');
		c.eq(agentOutput(run), 'Done: 7 tool calls.', 'agent output');
		const sizes = results.map((r) => r.content.length);
		return `execute ${seconds.toFixed(1)} s, ${requests.length} model calls; 4 distinct tool descriptions; result sizes ${sizes.join('/')} chars (Submit and Wait ${sizes[0]} ≤ ${MAX_RESULT_CHARS}); Get Status nextCheckAfterSeconds ${String(r2.nextCheckAfterSeconds)}; failure named ${failed.id}; timeout → resumed ${slow.id}`;
	});

	await d.scenario(label, `6 AI Agent: example ${AGENT_EXAMPLE}`, async () => {
		const c: Check = d.check(AGENT_EXAMPLE);
		const first = model.requests.length;
		const { run, seconds } = await d.execute(AGENT_IDS.example);
		c.eq(model.errors, [], 'fake model errors');
		c.ok(run.status === 'success' || (run.status === undefined && run.finished), `execution status ${run.status}: ${run.data.resultData.error?.message ?? ''}`);
		const tools = model.requests[first]?.body.tools?.map((t) => t.function.name) ?? [];
		c.eq(tools.sort(), ['Make_Video', 'Wait_for_Video'], 'tools');
		const out = agentOutput(run);
		c.ok(/^Here is your video: https?:\/\//.test(out), `agent output: ${out}`);
		return `execute ${seconds.toFixed(1)} s, ${model.requests.length - first} model calls; "${out.slice(0, 100)}"`;
	});
}
