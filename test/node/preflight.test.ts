/** Pre-flight through the node: bad clips refused before any submit, costs on every item, budget guard. */
import { getEventListeners } from 'node:events';

import type { IExecuteFunctions, INodeType } from 'n8n-workflow';

import { KlingMotionControl } from '../../nodes/KlingMotionControl/KlingMotionControl.node';
import { startEmulator, type Emulator } from '../emulator';
import { runKling } from '../harness/kling';
import type { ProviderId } from '../../nodes/KlingMotionControl/providers/types';

let emu: Emulator;
beforeAll(async () => {
	emu = await startEmulator({ jobMs: 100 });
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset());

const run = (provider: ProviderId, clip: string, options: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
	runKling(emu, {
		provider,
		parameters: {
			operation: 'submitAndWait',
			imageUrl: `${emu.cdnUrl}/media/char.png?w=720&h=1280`,
			videoUrl: `${emu.cdnUrl}/media/clip.mp4?${clip}`,
			characterOrientation: 'image',
			quality: 'pro',
			prompt: 'dance',
			options: { pollInterval: 0.05, timeout: 0.5, ...options },
			...extra,
		},
		onError: 'continueRegularOutput',
	});

const submits = () => emu.requests.filter((r) => r.method === 'POST' && r.provider !== 'cdn').length;

it.each([
	['too long', 'duration=45.2&w=720&h=1280', /45\.2 s long; with Character Orientation "image" WaveSpeedAI accepts at most 10 s/],
	['too short', 'duration=2&w=720&h=1280', /2 s long; WaveSpeedAI needs at least 3 s/],
	['too small', 'duration=5&w=200&h=200', /200/],
])('a %s clip is refused with zero submits', async (_, clip, message) => {
	const result = await run('waveSpeed', clip);
	expect(result.items[0].json.error).toMatch(message);
	expect(result.items[0].json.details).toMatchObject({ status: 'notSubmitted' });
	expect(submits()).toBe(0);
});

it.each(['', '&moov=end'])('moov %s is probed with a few small range reads', async (moov) => {
	const result = await run('fal', `duration=5&w=720&h=1280&bytes=20000000${moov}`);
	expect(result.items[0].json).toMatchObject({ status: 'completed', motionVideo: { durationSeconds: 5, width: 720, height: 1280 } });
	expect(emu.stats().rangeRequests).toBeLessThanOrEqual(4);
});

it('range reads let go of their requests: nothing is left on the execution\'s cancel signal', async () => {
	// n8n keeps one cancel signal per execution; a request whose release never runs stays on it (with its
	// socket and read buffers) until the execution ends — for a batch, one per item for the whole wait.
	const node = new KlingMotionControl();
	const seen: number[] = [];
	const nodeType = Object.assign(Object.create(node) as INodeType, {
		async execute(this: IExecuteFunctions) {
			const signal = this.getExecutionCancelSignal()!;
			seen.push(getEventListeners(signal, 'abort').length);
			const output = await node.execute.call(this);
			seen.push(getEventListeners(signal, 'abort').length);
			return output;
		},
	});
	const result = await runKling(emu, {
		provider: 'waveSpeed',
		nodeType,
		parameters: {
			operation: 'submitAndWait',
			imageUrl: '={{ $json.image }}',
			videoUrl: `${emu.cdnUrl}/media/clip.mp4?duration=5&w=720&h=1280`,
			characterOrientation: 'image',
			quality: 'pro',
			options: { pollInterval: 0.05, timeout: 0.5 },
		},
		input: Array.from({ length: 6 }, (_, index) => ({ json: { image: `${emu.cdnUrl}/media/char.png?w=720&h=1280&item=${index}` } })),
	});
	expect(result.items.map((item) => item.json.status)).toEqual(Array(6).fill('completed'));
	expect(emu.requests.filter((r) => r.provider === 'cdn').length).toBeGreaterThanOrEqual(7);
	expect(seen).toEqual([seen[0], seen[0]]);
});

it('an unprobeable clip (no range support) still runs, with a note', async () => {
	const result = await run('fal', 'duration=5&w=720&h=1280&norange=1');
	expect(result.items[0].json.status).toBe('completed');
	expect(String(result.items[0].json.preflight)).toMatch(/partial \(motion video not checked/);
});

it('strict pre-flight refuses an unprobeable clip', async () => {
	const result = await run('fal', 'duration=5&norange=1', { preflight: 'strict' });
	expect(result.items[0].json.error).toMatch(/Pre-flight is strict/);
	expect(submits()).toBe(0);
});

it.each([
	['waveSpeed', 'pro', 5, 0.84],
	['waveSpeed', 'standard', 5, 0.63],
	['fal', 'pro', 5, 0.84],
	['prospolabs', 'standard', 5, 0.38],
	['prospolabs', 'pro', 5, 0.5],
	['evoLink', 'pro', 5, 0.756],
	['kling', 'standard', 5, 0.63],
] as Array<[ProviderId, string, number, number]>)('%s %s: %d s clip costs $%d', async (provider, quality, seconds, usd) => {
	const result = await run(provider, `duration=${seconds}&w=720&h=1280`, {}, { quality });
	expect(result.items[0].json.estimatedCostUsd).toBeCloseTo(usd, 3);
	expect(result.items[0].json.billedSeconds).toBe(seconds);
});

it('the budget guard stops a batch before its first submit and lists the estimates', async () => {
	const result = await runKling(emu, {
		provider: 'waveSpeed',
		parameters: {
			operation: 'submitAndWait',
			imageUrl: `${emu.cdnUrl}/media/char.png`,
			videoUrl: '={{ $json.clip }}',
			characterOrientation: 'image',
			quality: 'pro',
			options: { maxCostUsd: 1.5, pollInterval: 0.05 },
		},
		input: [{ json: { clip: `${emu.cdnUrl}/media/clip.mp4?duration=5` } }, { json: { clip: `${emu.cdnUrl}/media/clip.mp4?duration=6` } }],
	});
	expect(result.status).toBe('error');
	expect(result.error?.message).toMatch(/estimated cost of this run, \$1\.85, is over Max Cost \(USD\) \$1\.50: nothing was submitted.*item 0: \$0\.840, item 1: \$1\.008/);
	expect(submits()).toBe(0);
});

it.each([
	['novita', 'duration=5&w=720&h=1280&bytes=12000000', /11.44 MB; Novita AI accepts at most 10 MB/],
	['novita', 'duration=5&w=280&h=500', /280×500 px; Novita AI needs at least 300 px/],
	['kie', 'duration=2&w=720&h=1280', /2 s long; Kie\.ai needs at least 3 s/],
	['kie', 'duration=12&w=720&h=1280', /12 s long; with Character Orientation "image" Kie\.ai accepts at most 10 s/],
] as Array<[ProviderId, string, RegExp]>)('%s: a clip over its documented limits (%s) is refused with zero submits', async (provider, clip, message) => {
	const result = await run(provider, clip);
	expect(result.items[0].json.error).toMatch(message);
	expect(submits()).toBe(0);
});

it.each(['kie', 'novita'] as ProviderId[])('%s publishes no rate we could read: no estimate, a note, and the task still runs', async (provider) => {
	const result = await run(provider, 'duration=5&w=720&h=1280');
	expect(result.items[0].json).toMatchObject({ status: 'completed', estimatedCostUsd: null });
	expect(typeof result.items[0].json.costNote).toBe('string');
});
