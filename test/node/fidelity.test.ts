/**
 * The providers as they are documented today: terminal statuses that end a wait at once, and
 * "completed" answers without an output, which must never become a completed item.
 */
import type { IDataObject } from 'n8n-workflow';

import { startEmulator, type Emulator } from '../emulator';
import { ALL_PROVIDERS, runKling } from '../harness/kling';

let emu: Emulator;
beforeAll(async () => {
	emu = await startEmulator({ jobMs: 200 });
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset());

const params = (options: Record<string, unknown> = {}) => ({
	operation: 'submitAndWait',
	imageUrl: '={{ $json.image }}',
	videoUrl: `${emu.cdnUrl}/media/clip.mp4?duration=5`,
	characterOrientation: 'image',
	quality: 'pro',
	prompt: 'dance',
	options: { pollInterval: 0.1, timeout: 0.5, preflight: 'off', ...options },
});
const item = (fault: string) => [{ json: { image: `${emu.cdnUrl}/media/char.png?emu=${fault}` } }];

describe.each(ALL_PROVIDERS)('%s', (provider) => {
	it('"completed" without an output never becomes a completed item: it fails with the task id', async () => {
		let parameters: IDataObject = params();
		if (provider === 'prospolabs') {
			// Its Submit and Wait is one synchronous call: test the polling path (Submit, then Wait for Completion).
			const submitted = await runKling(emu, { provider, parameters: { ...params(), operation: 'submit' }, input: item('noResults50') });
			parameters = { operation: 'waitForCompletion', taskId: String(submitted.items[0].json.taskId), options: { pollInterval: 0.1, timeout: 0.5 } };
		}
		const result = await runKling(emu, { provider, parameters, input: item('noResults50'), onError: 'continueRegularOutput' });
		expect(result.error?.message).toBeUndefined();
		expect(result.items).toHaveLength(1);
		const json = result.items[0].json as { status?: string; error?: string; details?: { taskId?: string; status?: string } };
		expect(json.status).not.toBe('completed');
		expect(json.error).toMatch(/no output video after 3 checks/);
		expect(json.details?.taskId).toBe(emu.tasks()[0].id);
	});

	it('a result that lags its "completed" by a check is still picked up', async () => {
		const result = await runKling(emu, { provider, parameters: params(), input: item('noResults1') });
		expect(result.error?.message).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ status: 'completed', videoUrl: expect.stringMatching(/^http/) });
	});
});

describe('WaveSpeedAI ends tasks itself as "cancelled" or "timeout"', () => {
	it.each([
		['providerCancel', 'canceled', /cancelled on WaveSpeedAI's side/],
		['providerTimeout', 'failed', /timed out on WaveSpeedAI's side/],
	])('%s ends the wait within one poll interval, naming the task', async (fault, status, words) => {
		const result = await runKling(emu, {
			provider: 'waveSpeed',
			parameters: params({ pollInterval: 0.2, timeout: 5 }),
			input: item(fault),
			onError: 'continueRegularOutput',
		});
		const json = result.items[0].json as { error: string; details: { taskId: string; status: string } };
		expect(json.details).toMatchObject({ taskId: emu.tasks()[0].id, status });
		expect(json.error).toMatch(words);
		// Seen at the first check after the end: at most one poll interval (plus the early check) of polling after it.
		const task = emu.tasks()[0];
		const ended = task.createdAt + task.jobMs;
		const polls = emu.requests.filter((r) => r.method === 'GET' && r.provider === 'waveSpeed');
		expect(polls.filter((r) => r.at > ended)).toHaveLength(1);
	});
});

describe('Cancel on Timeout', () => {
	const cancels = () => emu.requests.filter((r) => /cancel/.test(r.path) || r.method === 'DELETE' || (r.method === 'PUT' && /cancel/.test(r.path)));
	it.each(ALL_PROVIDERS.filter((p) => ['fal', 'oxen', 'replicate'].includes(p)))('%s: on, a stuck task is canceled at the Timeout', async (provider) => {
		const result = await runKling(emu, {
			provider,
			parameters: params({ timeout: 0.01, cancelOnTimeout: true }),
			input: item('stuck'),
			onError: 'continueRegularOutput',
		});
		const json = result.items[0].json as { error: string; details: { status: string; taskId: string } };
		expect(json.error).toMatch(/was canceled \(Cancel on Timeout is on\)/);
		expect(json.details).toMatchObject({ status: 'canceled', taskId: emu.tasks()[0].id });
		expect(emu.tasks()[0].status).toBe('canceled');
		if (provider === 'replicate') {
			const submit = emu.requests.find((r) => r.method === 'POST' && /predictions$/.test(r.path));
			expect(submit?.headers['cancel-after']).toBe('1s');
		}
	});

	it.each(['fal', 'replicate'] as const)('%s: off, nothing is canceled and the error says how to resume', async (provider) => {
		const result = await runKling(emu, { provider, parameters: params({ timeout: 0.01 }), input: item('stuck'), onError: 'continueRegularOutput' });
		expect(String(result.items[0].json.error)).toMatch(/resume it with the operation "Wait for Completion"/);
		expect(cancels()).toHaveLength(0);
		expect(emu.tasks()[0].status).not.toBe('canceled');
	});
});
