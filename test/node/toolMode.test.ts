/** The node as an AI Agent tool (type …klingMotionControlTool), run through the real n8n engine. */
import { NodeHelpers } from 'n8n-workflow';

import { TOOL_DESCRIPTIONS } from '../../nodes/KlingMotionControl/tool.description';
import { KlingMotionControl } from '../../nodes/KlingMotionControl/KlingMotionControl.node';
import { startEmulator, type Emulator } from '../emulator';
import { runKling, toolVariant } from '../harness/kling';

let emu: Emulator;
beforeAll(async () => {
	emu = await startEmulator({ jobMs: 1500 });
});
afterAll(async () => emu.close());
beforeEach(() => {
	emu.reset();
	emu.jobMs = 1500;
});

const submit = (operation: string, options: Record<string, unknown> = {}, query = '') => ({
	operation,
	imageUrl: `${emu.cdnUrl}/media/char.png?w=768&h=1024${query}`,
	videoUrl: `${emu.cdnUrl}/media/clip.mp4?duration=5`,
	characterOrientation: 'image',
	quality: 'standard',
	options: { pollInterval: 0.25, timeout: 1, ...options },
});

const COMPACT_KEYS = ['provider', 'taskId', 'status', 'videoUrl', 'videoIndex', 'durationSeconds', 'estimatedCostUsd', 'urlExpiresAt', 'error', 'progress', 'queuePosition', 'nextCheckAfterSeconds', 'next'];

it('as a tool, Submit and Wait returns the compact result; as a node, the full item', async () => {
	const tool = await runKling(emu, { provider: 'replicate', parameters: submit('submitAndWait'), asTool: true });
	expect(tool.error?.message).toBeUndefined();
	const json = tool.items[0].json;
	expect(Object.keys(json).filter((key) => !COMPACT_KEYS.includes(key))).toEqual([]);
	expect(json).toMatchObject({ provider: 'replicate', status: 'completed', durationSeconds: 5 });
	expect(String(json.videoUrl)).toMatch(/^http/);
	expect(typeof json.urlExpiresAt).toBe('string');
	expect(JSON.stringify([json]).length).toBeLessThan(800);
	expect(tool.items[0].pairedItem).toEqual({ item: 0 });

	const plain = await runKling(emu, { provider: 'replicate', parameters: submit('submitAndWait') });
	expect(plain.items[0].json).toHaveProperty('providerResponse');
	expect(plain.items[0].json).toHaveProperty('costRule');
});

it('as a tool, Submit and Get Status say when to look again', async () => {
	emu.jobMs = 60_000;
	const submitted = await runKling(emu, { provider: 'fal', parameters: submit('submit'), asTool: true });
	const taskId = String(submitted.items[0].json.taskId);
	// Submit and Get Status do not poll (no Poll Interval option): the hint is the node's default interval.
	expect(submitted.items[0].json).toMatchObject({ status: 'queued', nextCheckAfterSeconds: 10 });
	const status = await runKling(emu, { provider: 'fal', parameters: { operation: 'getStatus', taskId }, asTool: true });
	expect(status.items[0].json).toMatchObject({ taskId, nextCheckAfterSeconds: 10 });
	expect(String(status.items[0].json.next)).toContain('Wait for Completion');
});

it('as a tool, Download Video is refused before anything is submitted', async () => {
	const result = await runKling(emu, { provider: 'fal', parameters: submit('submitAndWait', { downloadVideo: true }), asTool: true });
	expect(result.error?.message).toContain('Download Video is not available');
	expect(emu.tasks('fal')).toHaveLength(0);
});

it.each([undefined, 'continueRegularOutput'] as const)('as a tool (onError %s), a failed task is a result: one line with its task id, no node error', async (onError) => {
	const result = await runKling(emu, { provider: 'fal', parameters: submit('submitAndWait', {}, '&emu=fail'), asTool: true, onError });
	expect(result.error).toBeUndefined();
	const json = result.items[0].json;
	const task = emu.tasks('fal')[0];
	expect(json).toMatchObject({ provider: 'fal', taskId: task.id, status: 'failed' });
	expect(String(json.error)).toContain(task.id);
	expect(Object.keys(json).sort()).toEqual(['error', 'provider', 'status', 'taskId']);
});

it('as a tool, a timeout is a result naming the task to resume', async () => {
	emu.jobMs = 60_000;
	const result = await runKling(emu, { provider: 'fal', parameters: submit('submitAndWait', { timeout: 0.02 }), asTool: true });
	expect(result.error).toBeUndefined();
	const task = emu.tasks('fal')[0];
	expect(result.items[0].json).toMatchObject({ taskId: task.id });
	expect(String(result.items[0].json.error)).toMatch(/timeout.*Wait for Completion/);
});

it("the tool variant's parameters: one description per operation and $fromAI defaults; the plain node has neither", () => {
	const plain = new KlingMotionControl();
	const tool = toolVariant(plain);
	for (const operation of Object.keys(TOOL_DESCRIPTIONS)) {
		const node = { id: '1', name: 'K', type: 'x', typeVersion: 1, position: [0, 0] as [number, number], parameters: { operation } };
		const asTool = NodeHelpers.getNodeParameters(tool.description.properties, { operation }, true, false, node, tool.description)!;
		expect(asTool.toolDescription).toBe(TOOL_DESCRIPTIONS[operation]);
		const asNode = NodeHelpers.getNodeParameters(plain.description.properties, { operation }, true, false, node, plain.description)!;
		expect(asNode).not.toHaveProperty('toolDescription');
		if (operation === 'submit' || operation === 'submitAndWait') {
			expect(String(asTool.imageUrl)).toContain("$fromAI('imageUrl'");
			expect(asNode.imageUrl).toBe('');
		} else {
			expect(String(asTool.taskId)).toContain("$fromAI('taskId'");
			expect(asNode.taskId).toBe('={{ $json.taskId }}');
		}
	}
	// a value saved in a workflow wins over the tool default (same parameter name)
	const saved = NodeHelpers.getNodeParameters(tool.description.properties, { operation: 'submit', imageUrl: 'https://x/y.png' }, true, false, null, tool.description)!;
	expect(saved.imageUrl).toBe('https://x/y.png');
});
