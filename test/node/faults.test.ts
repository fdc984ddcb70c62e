/**
 * The fault matrix, per provider where the fault applies. Every case asserts the outcome items and,
 * through the emulator's own counters, that no task was submitted twice.
 */
import { startEmulator, type Emulator } from '../emulator';
import { ALL_PROVIDERS, runKling } from '../harness/kling';
import type { ProviderId } from '../../nodes/KlingMotionControl/providers/types';

let emu: Emulator;
beforeAll(async () => {
	emu = await startEmulator({ jobMs: 300 });
});
afterAll(async () => emu.close());
beforeEach(() => {
	emu.reset();
	emu.concurrencyCap = {};
});

const params = (options: Record<string, unknown> = {}) => ({
	operation: 'submitAndWait',
	imageUrl: '={{ $json.image }}',
	videoUrl: `${emu.cdnUrl}/media/clip.mp4?duration=5`,
	characterOrientation: 'image',
	quality: 'pro',
	prompt: 'dance',
	options: { pollInterval: 0.05, timeout: 0.5, preflight: 'off', ...options },
});
const items = (count: number, fault = '') =>
	Array.from({ length: count }, (_, index) => ({ json: { image: `${emu.cdnUrl}/media/char.png?n=${index}${fault ? `&emu=${fault}` : ''}` } }));

function noDuplicates(provider: ProviderId, accepted: number) {
	expect(emu.stats().duplicateSubmits).toBe(0);
	expect(emu.stats().submitsAccepted[provider] ?? 0).toBe(accepted);
}

// Prospolabs answers Submit and Wait synchronously: there are no status checks to disturb.
const POLLING = ALL_PROVIDERS.filter((provider) => provider !== 'prospolabs');

describe.each(POLLING)('%s', (provider) => {
	it('flaky status checks (503, 429, HTML page, invalid JSON, reset) are survived', async () => {
		const result = await runKling(emu, { provider, parameters: params(), input: items(1, 'poll503,poll429,pollHtml,invalidJson,pollReset') });
		expect(result.error?.message).toBeUndefined();
		expect(result.items[0].json.status).toBe('completed');
		noDuplicates(provider, 1);
	});
});

describe.each(ALL_PROVIDERS)('%s', (provider) => {
	it('a 429 on submit is retried; the task is created once', async () => {
		const result = await runKling(emu, { provider, parameters: params({ timeout: 1 }), input: items(1, 'submit429') });
		expect(result.error?.message).toBeUndefined();
		expect(result.items[0].json.status).toBe('completed');
		expect(emu.stats().submitsRejected[provider]).toBeGreaterThanOrEqual(1);
		noDuplicates(provider, 1);
	});

	it('an ambiguous 5xx on submit never creates a second task', async () => {
		const result = await runKling(emu, { provider, parameters: params(), input: items(1, 'submit500'), onError: 'continueRegularOutput' });
		if (provider === 'kling') {
			// Found again through its external_task_id.
			expect(result.items[0].json.status).toBe('completed');
		} else {
			expect(result.items[0].json.error).toMatch(/unknown outcome.*not sent again/);
			expect(result.items[0].json.details).toMatchObject({ provider, status: 'unknown' });
		}
		expect(emu.requests.filter((r) => r.provider === provider && r.method === 'POST')).toHaveLength(1);
		noDuplicates(provider, 1);
	});

	it('a concurrency cap below the batch: every item completes, each submitted once', async () => {
		emu.concurrencyCap = { [provider]: 2 };
		const result = await runKling(emu, { provider, parameters: params({ concurrency: 4, timeout: 1 }), input: items(5) });
		expect(result.error?.message).toBeUndefined();
		expect(result.items.map((item) => item.json.status)).toEqual(Array(5).fill('completed'));
		expect(result.items.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));
		noDuplicates(provider, 5);
	});
});

describe.each(ALL_PROVIDERS)('%s under Retry On Fail (3 tries)', (provider) => {
	it('an ambiguous submit leaves exactly one accepted task', async () => {
		const result = await runKling(emu, { provider, parameters: params(), input: items(1, 'submit500'), retryOnFail: 3 });
		noDuplicates(provider, 1);
		if (provider !== 'kling') expect(result.error?.message).toMatch(/unknown outcome.*not sent again/);
	});

	it('a task that failed while waiting is resumed by the retry, not bought again', async () => {
		// The first try times out while the task runs; the retry waits for the same task.
		const result = await runKling(emu, {
			provider,
			parameters: params({ timeout: 0.004 }),
			input: items(1),
			retryOnFail: 3,
		});
		noDuplicates(provider, 1);
		expect(result.error?.message ?? '').not.toMatch(/unknown outcome/);
	});
});

describe('Prospolabs body shape (the model page\'s flat body; the general docs\' `params` form as the fallback)', () => {
	const posts = () => emu.requests.filter((r) => r.provider === 'prospolabs' && r.method === 'POST');

	it('the flat body is sent and accepted once', async () => {
		const result = await runKling(emu, { provider: 'prospolabs', parameters: params(), input: items(1) });
		expect(result.items[0].json.status).toBe('completed');
		expect(posts()).toHaveLength(1);
		expect(posts()[0].body).toMatchObject({ model: 'kling-3-motion-control', quality: 'pro', image_url: expect.any(String) });
		expect(posts()[0].body).not.toHaveProperty('params');
	});

	it.each(['submitAndWait', 'submit'])('%s: "params is required" (nothing created) → sent once more in the params form, one task', async (operation) => {
		const result = await runKling(emu, { provider: 'prospolabs', parameters: { ...params(), operation }, input: items(1, 'paramsBody') });
		expect(result.error?.message).toBeUndefined();
		expect(result.items[0].json.status).toBe(operation === 'submit' ? 'queued' : 'completed');
		expect(posts()).toHaveLength(2);
		expect(emu.stats().submitsRejected.prospolabs).toBe(1);
		expect(posts()[1].body).toMatchObject({ model: 'kling-3-motion-control', params: { quality: 'pro', video_urls: [expect.any(String)] } });
		expect(posts()[1].body).not.toHaveProperty('quality');
		noDuplicates('prospolabs', 1);
	});

	it('both shapes refused: one error with both answers, nothing created, no third request', async () => {
		const result = await runKling(emu, { provider: 'prospolabs', parameters: params(), input: items(1, 'paramsBody,unreadableImage'), onError: 'continueRegularOutput' });
		expect(result.items[0].json.error).toMatch(/HTTP 422 while submitting in its other documented body shape: image_url: the image could not be read\. The first shape was refused too: params is required/);
		expect(result.items[0].json.details).toMatchObject({ provider: 'prospolabs', status: 'notSubmitted' });
		expect(posts()).toHaveLength(2);
		noDuplicates('prospolabs', 0);
	});

	it('a value refusal of the flat body is reported as it is, never re-sent', async () => {
		const result = await runKling(emu, { provider: 'prospolabs', parameters: params(), input: items(1, 'unreadableImage'), onError: 'continueRegularOutput' });
		expect(result.items[0].json.error).toMatch(/HTTP 422 while submitting: image_url: the image could not be read/);
		expect(posts()).toHaveLength(1);
	});

	it('an ambiguous answer to the second shape is never sent a third time', async () => {
		const result = await runKling(emu, { provider: 'prospolabs', parameters: params(), input: items(1, 'paramsBody,submit500'), onError: 'continueRegularOutput' });
		expect(result.items[0].json.error).toMatch(/unknown outcome.*not sent again/);
		expect(posts()).toHaveLength(2);
		noDuplicates('prospolabs', 1);
	});
});

describe.each(['aiHubMax', 'waveSpeed'] as ProviderId[])('%s upload refused', (provider) => {
	const files = [{ picture: { bytes: Buffer.from('\x89PNG\r\n\x1a\nfake'), fileName: 'c.png', mimeType: 'image/png' } }];
	it.each([500, 503])('HTTP %s on the upload: an upload error, nothing submitted', async (status) => {
		emu.uploadRefusals = { [provider]: status };
		const result = await runKling(emu, {
			provider,
			parameters: { ...params(), imageSource: 'binary', imageBinaryProperty: 'picture' },
			files,
			onError: 'continueRegularOutput',
		});
		expect(String(result.items[0].json.error)).toMatch(/uploading the image/);
		expect(emu.tasks(provider)).toHaveLength(0);
		noDuplicates(provider, 0);
	});
});
