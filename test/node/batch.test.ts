/** Batches run concurrently; faults are survived without losing or double-buying a task. */
import { startEmulator, type Emulator } from '../emulator';
import { runKling } from '../harness/kling';
import type { ProviderId } from '../../nodes/KlingMotionControl/providers/types';

let emu: Emulator;
beforeAll(async () => {
	emu = await startEmulator({ jobMs: 1500 });
});
afterAll(async () => emu.close());
beforeEach(() => {
	emu.reset();
	emu.jobMs = 1500;
});

function items(count: number, fault = '') {
	return Array.from({ length: count }, (_, index) => ({
		json: { image: `${emu.cdnUrl}/media/char.png?n=${index}${fault ? `&emu=${fault}` : ''}` },
	}));
}

const params = (options: Record<string, unknown> = {}) => ({
	operation: 'submitAndWait',
	imageUrl: '={{ $json.image }}',
	videoUrl: `${emu.cdnUrl}/media/clip.mp4?duration=5`,
	characterOrientation: 'image',
	quality: 'pro',
	prompt: 'dance',
	options: { pollInterval: 0.25, timeout: 1, ...options },
});

it('a batch of 20 finishes in about the time of one task, outputs in input order', async () => {
	const result = await runKling(emu, { provider: 'evoLink', parameters: params(), input: items(20) });
	expect(result.error?.message).toBeUndefined();
	expect(result.items).toHaveLength(20);
	expect(result.items.map((item) => item.pairedItem)).toEqual(items(20).map((_, index) => ({ item: index })));
	// Structural, not a stopwatch: every task was submitted before the first one could finish, so the
	// batch ran together (one item after another would space the submits a job time apart).
	const created = emu.tasks('evoLink').map((task) => task.createdAt);
	expect(created).toHaveLength(20);
	expect(Math.max(...created) - Math.min(...created)).toBeLessThan(1500);
	expect(emu.stats().submitsAccepted.evoLink).toBe(20);
	expect(emu.stats().duplicateSubmits).toBe(0);
});

it('flaky status checks (503, 429, HTML page, invalid JSON, reset) are retried until the task completes', async () => {
	const result = await runKling(emu, {
		provider: 'waveSpeed',
		parameters: params(),
		input: [
			{ json: { image: `${emu.cdnUrl}/media/char.png?emu=poll503` } },
			{ json: { image: `${emu.cdnUrl}/media/char.png?emu=poll429` } },
			{ json: { image: `${emu.cdnUrl}/media/char.png?emu=pollHtml` } },
			{ json: { image: `${emu.cdnUrl}/media/char.png?emu=invalidJson` } },
			{ json: { image: `${emu.cdnUrl}/media/char.png?emu=pollReset` } },
		],
	});
	expect(result.error?.message).toBeUndefined();
	expect(result.items.map((item) => item.json.status)).toEqual(['completed', 'completed', 'completed', 'completed', 'completed']);
	expect(emu.stats().duplicateSubmits).toBe(0);
});

it('a 429 on submit is retried (nothing was created) and the task runs once', async () => {
	const result = await runKling(emu, { provider: 'replicate', parameters: params(), input: items(1, 'submit429') });
	expect(result.error?.message).toBeUndefined();
	expect(result.items[0].json.status).toBe('completed');
	expect(emu.stats().submitsAccepted.replicate).toBe(1);
	expect(emu.stats().submitsRejected.replicate).toBeGreaterThanOrEqual(1);
});

it.each(['waveSpeed', 'evoLink', 'fal'] as ProviderId[])(
	'%s: an ambiguous 500 on submit is never re-sent; the error says the task may exist',
	async (provider) => {
		const result = await runKling(emu, { provider, parameters: params(), input: items(1, 'submit500'), onError: 'continueRegularOutput' });
		expect(result.items[0].json.error).toMatch(/unknown outcome.*may have been created/);
		expect(emu.stats().submitsAccepted[provider]).toBe(1);
		expect(emu.requests.filter((r) => r.method === 'POST' && r.provider === provider)).toHaveLength(1);
	},
);

it('Kling: an ambiguous submit is recovered through external_task_id, no second task', async () => {
	const result = await runKling(emu, { provider: 'kling', parameters: params(), input: items(1, 'submit500') });
	expect(result.error?.message).toBeUndefined();
	expect(result.items[0].json.status).toBe('completed');
	expect(emu.stats().submitsAccepted.kling).toBe(1);
	expect(emu.stats().duplicateSubmits).toBe(0);
});

it('AIHubMax: "completed" without results is not the end; the node waits for the URLs', async () => {
	const result = await runKling(emu, { provider: 'aiHubMax', parameters: params(), input: items(1, 'noResults') });
	expect(result.error?.message).toBeUndefined();
	expect(result.items[0].json.videoUrl).toMatch(/\.mp4$/);
});

it('a concurrency cap below the batch: refusals wait for a free slot, every item completes once', async () => {
	emu.concurrencyCap = { waveSpeed: 2 } as never;
	const result = await runKling(emu, { provider: 'waveSpeed', parameters: params({ concurrency: 5, timeout: 1 }), input: items(6) });
	emu.concurrencyCap = {} as never;
	expect(result.error?.message).toBeUndefined();
	expect(result.items.map((item) => item.json.status)).toEqual(Array(6).fill('completed'));
	expect(emu.stats().submitsAccepted.waveSpeed).toBe(6);
	expect(emu.stats().duplicateSubmits).toBe(0);
});

it('stopping the execution ends the wait promptly and lists the running task ids', async () => {
	emu.jobMs = 60_000;
	const result = await runKling(emu, { provider: 'fal', parameters: params({ timeout: 5 }), input: items(2), cancelAfterMs: 800 });
	expect(result.status).not.toBe('success');
	// The wait ended with the stop: no status check after it (the job would run for 60 s).
	const lastCheck = Math.max(...emu.requests.filter((r) => r.provider === 'fal' && r.method === 'GET').map((r) => r.at));
	const firstSubmit = Math.min(...emu.tasks('fal').map((task) => task.createdAt));
	expect(lastCheck - firstSubmit).toBeLessThan(800 + 1000);
	const ids = emu.tasks('fal').map((task) => task.id);
	expect(ids).toHaveLength(2);
});

it('Cancel cancels a running task where the provider supports it', async () => {
	emu.jobMs = 60_000;
	const submitted = await runKling(emu, { provider: 'replicate', parameters: { ...params(), operation: 'submit' }, input: items(1) });
	const canceled = await runKling(emu, {
		provider: 'replicate',
		parameters: { operation: 'cancel', options: {} },
		input: submitted.items.map((item) => ({ json: item.json })),
	});
	expect(canceled.error?.message).toBeUndefined();
	expect(canceled.items[0].json).toMatchObject({ provider: 'replicate', taskId: submitted.items[0].json.taskId, status: 'canceled' });
	expect(emu.stats().cancelRequests).toBe(1);
});

it('Cancel of a task that already finished reports its real status', async () => {
	const done = await runKling(emu, { provider: 'fal', parameters: { ...params(), operation: 'submitAndWait' }, input: items(1) });
	const canceled = await runKling(emu, {
		provider: 'fal',
		parameters: { operation: 'cancel', options: {} },
		input: done.items.map((item) => ({ json: item.json })),
	});
	expect(canceled.error?.message).toBeUndefined();
	expect(canceled.items[0].json).toMatchObject({ provider: 'fal', canceled: false, status: 'completed' });
});

describe('one early status check per wave of submits', () => {
	const statusGets = (provider: string) =>
		emu.requests.filter((r) => r.provider === provider && r.method === 'GET' && r.path.startsWith('/api/v3/predictions/'));

	it('tasks submitted together share the early check: about one status request per task, not two', async () => {
		// Jobs of 2.4 s: still running at the early check (2 s), done at the 3.5 s poll interval.
		emu.jobMs = 2400;
		const result = await runKling(emu, {
			provider: 'waveSpeed',
			parameters: params({ pollInterval: 3.5, preflight: 'off' }),
			input: items(10),
		});
		expect(result.error?.message).toBeUndefined();
		expect(result.items.map((item) => item.json.status)).toEqual(Array(10).fill('completed'));
		// Each task polled on its own early and again at the interval would be 20 requests.
		expect(statusGets('waveSpeed').length).toBeLessThanOrEqual(12);
		expect(emu.stats().duplicateSubmits).toBe(0);
	});

	it('fast jobs still come back fast: the scout found its task done, so the others check at once', async () => {
		emu.jobMs = 300;
		const result = await runKling(emu, {
			provider: 'waveSpeed',
			parameters: params({ pollInterval: 10, preflight: 'off' }),
			input: items(8),
		});
		expect(result.items.map((item) => item.json.status)).toEqual(Array(8).fill('completed'));
		const submits = emu.requests.filter((r) => r.provider === 'waveSpeed' && r.method === 'POST');
		const gets = statusGets('waveSpeed');
		expect(gets).toHaveLength(8);
		// Nobody waited for the 10 s poll interval: every check came with the early one, near 2 s.
		const firstSubmit = Math.min(...submits.map((r) => r.at));
		expect(Math.max(...gets.map((r) => r.at)) - firstSubmit).toBeLessThan(6000);
	});

	it('a task that fails among running ones is still reported, with its task id, and the others complete', async () => {
		emu.jobMs = 2400;
		const input = items(6);
		input[3] = { json: { image: `${emu.cdnUrl}/media/char.png?n=3&emu=fail` } };
		const result = await runKling(emu, {
			provider: 'waveSpeed',
			parameters: params({ pollInterval: 3.5, preflight: 'off' }),
			input,
			onError: 'continueRegularOutput',
		});
		expect(result.items).toHaveLength(6);
		expect(result.items.map((item) => item.json.status ?? item.json.error)).toEqual([
			'completed',
			'completed',
			'completed',
			expect.stringMatching(/failed/),
			'completed',
			'completed',
		]);
		const failed = emu.tasks('waveSpeed').find((task) => String(task.imageUrl).includes('emu=fail'));
		expect((result.items[3].json.details as { taskId?: string }).taskId).toBe(failed?.id);
	});
});

it('fixed parameters are read once per run, expressions still per item (prompt and options)', async () => {
	const result = await runKling(emu, {
		provider: 'waveSpeed',
		parameters: {
			...params(),
			prompt: '={{ "dance " + $json.n }}',
			options: { pollInterval: 0.25, timeout: 1, negativePrompt: '={{ "blur " + $json.n }}' },
		},
		input: [0, 1, 2].map((n) => ({ json: { n, image: `${emu.cdnUrl}/media/char.png?n=${n}` } })),
	});
	expect(result.error?.message).toBeUndefined();
	const bodies = emu.tasks('waveSpeed').map((task) => task.body as { prompt?: string; negative_prompt?: string });
	expect(bodies.map((body) => body.prompt).sort()).toEqual(['dance 0', 'dance 1', 'dance 2']);
	expect(bodies.map((body) => body.negative_prompt).sort()).toEqual(['blur 0', 'blur 1', 'blur 2']);
});
