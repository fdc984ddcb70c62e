/**
 * Every provider × operation through n8n's real engine, over loopback sockets, against the emulator
 * enforcing each provider's documented schema and auth.
 */
import { startEmulator, type Emulator } from '../emulator';
import { ALL_PROVIDERS, runKling, readBinary } from '../harness/kling';
import type { ProviderId } from '../../nodes/KlingMotionControl/providers/types';

let emu: Emulator;

beforeAll(async () => {
	emu = await startEmulator({ jobMs: 300 });
});
afterAll(async () => {
	await emu.close();
});
beforeEach(() => emu.reset());

const FAST = { pollInterval: 0.05, timeout: 0.5 };

function submitParams(overrides: Record<string, unknown> = {}) {
	return {
		operation: 'submitAndWait',
		imageUrl: '={{ $json.image }}',
		videoUrl: '={{ $json.video }}',
		characterOrientation: 'image',
		quality: 'pro',
		prompt: 'The character dances',
		options: { ...FAST },
		...overrides,
	};
}

function input(tag: string) {
	return [
		{
			json: {
				image: `${emu.cdnUrl}/media/char.png?w=720&h=1280&tag=${tag}`,
				video: `${emu.cdnUrl}/media/clip.mp4?duration=5&w=720&h=1280`,
			},
		},
	];
}

describe.each(ALL_PROVIDERS)('%s', (provider: ProviderId) => {
	it('Submit and Wait yields a completed item with videoUrl, and Download Video stores the MP4', async () => {
		const result = await runKling(emu, {
			provider,
			parameters: submitParams({ options: { ...FAST, downloadVideo: true } }),
			input: input('saw'),
			inspect: true,
		});
		expect(result.error?.message).toBeUndefined();
		expect(result.items).toHaveLength(1);
		const [item] = result.items;
		expect(item.json).toMatchObject({ provider, status: 'completed' });
		expect(typeof item.json.taskId).toBe('string');
		expect(item.json.videoUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\//);
		expect(item.json.videoUrls).toEqual([item.json.videoUrl]);
		expect(item.pairedItem).toEqual({ item: 0 });
		// The binary is really in n8n's filesystem storage and reads back as an MP4.
		expect(item.binary?.data).toMatchObject({ mimeType: 'video/mp4' });
		const bytes = await readBinary(item.binary!.data.id!);
		expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
		expect(result.inspected[0].json.readBack).toMatchObject({ data: { head: 'ftyp', mimeType: 'video/mp4' } });
		// The provider key never travelled to the file host.
		expect(emu.stats().fileRequests).toBeGreaterThan(0);
		expect(emu.stats().fileRequestsWithAuthorization).toBe(0);
		expect(emu.stats().duplicateSubmits).toBe(0);
	});

	it('Submit → Get Status → Wait for Completion round-trips by task id', async () => {
		const submitted = await runKling(emu, {
			provider,
			parameters: submitParams({ operation: 'submit' }),
			input: input('rt'),
		});
		expect(submitted.error?.message).toBeUndefined();
		const taskId = submitted.items[0].json.taskId as string;
		expect(submitted.items[0].json).toMatchObject({ provider, taskId, videoUrl: null });
		expect(['queued', 'processing']).toContain(submitted.items[0].json.status);

		const status = await runKling(emu, {
			provider,
			parameters: { operation: 'getStatus', options: {} },
			input: submitted.items.map((item) => ({ json: item.json })),
		});
		expect(status.error?.message).toBeUndefined();
		expect(status.items[0].json).toMatchObject({ provider, taskId });
		expect(['queued', 'processing', 'completed']).toContain(status.items[0].json.status);

		const waited = await runKling(emu, {
			provider,
			parameters: { operation: 'waitForCompletion', options: { ...FAST } },
			input: status.items.map((item) => ({ json: item.json })),
		});
		expect(waited.error?.message).toBeUndefined();
		expect(waited.items[0].json).toMatchObject({ provider, taskId, status: 'completed' });
		expect(waited.items[0].json.videoUrl).toMatch(/\.mp4$/);
		expect(emu.tasks(provider)).toHaveLength(1);
	});

	it('a failed task is a clear error that keeps the task id (continue: error item)', async () => {
		const result = await runKling(emu, {
			provider,
			parameters: submitParams(),
			input: [{ json: { ...input('x')[0].json, image: `${emu.cdnUrl}/media/char.png?emu=fail` } }],
			onError: 'continueErrorOutput',
		});
		expect(result.items).toHaveLength(0);
		expect(result.errorItems).toHaveLength(1);
		const [item] = result.errorItems;
		const taskId = emu.tasks(provider)[0].id;
		expect(Object.keys(item.json).sort()).toEqual(['details', 'error']);
		expect(item.json.error).toContain(taskId);
		expect(item.json.details).toMatchObject({ provider, taskId, status: 'failed' });
		expect(item.pairedItem).toEqual({ item: 0 });
	});

	it('a stuck task times out with an error naming the task id and how to resume', async () => {
		const result = await runKling(emu, {
			provider,
			parameters: submitParams({ options: { pollInterval: 0.05, timeout: 0.01 } }),
			input: [{ json: { ...input('x')[0].json, image: `${emu.cdnUrl}/media/char.png?emu=stuck` } }],
		});
		const taskId = emu.tasks(provider)[0].id;
		expect(result.status).toBe('error');
		if (provider === 'prospolabs') {
			// Its documented submit is synchronous: no task id exists until it answers. The error says
			// the generation may exist and was not sent again.
			expect(result.error?.message).toMatch(/unknown outcome.*synchronous.*not sent again/);
			expect(emu.tasks(provider)).toHaveLength(1);
			return;
		}
		expect(result.error?.message).toContain(taskId);
		expect(result.error?.message).toContain('Wait for Completion');
	});

	it('a bad key is refused with a message that says to check the credential, and nothing is created', async () => {
		const override = provider === 'kling' ? { secretKey: 'wrong-secret' } : { apiKey: 'wrong-key' };
		const result = await runKling(emu, {
			provider,
			parameters: submitParams(),
			input: input('badkey'),
			credentialOverride: override,
		});
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/credential/i);
		expect(emu.tasks(provider)).toHaveLength(0);
		expect(JSON.stringify(result.run)).not.toContain(provider === 'kling' ? 'wrong-secret' : 'wrong-key');
	});
});
