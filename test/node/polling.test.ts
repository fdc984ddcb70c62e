/**
 * Polling that scales with time, not with batch size × time (issue 18): one status budget per run,
 * a schedule learned from the run's own completions. Counted by the emulator's request log.
 */
import { startEmulator, type Emulator } from '../emulator';
import { runKling } from '../harness/kling';

let emu: Emulator;
beforeAll(async () => {
	emu = await startEmulator({ jobMs: 2000 });
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset());

function items(count: number, clip: (index: number) => number = () => 5, fault: (index: number) => string = () => '') {
	return Array.from({ length: count }, (_, index) => ({
		json: {
			image: `${emu.cdnUrl}/media/char.png?n=${index}${fault(index) ? `&emu=${fault(index)}` : ''}`,
			video: `${emu.cdnUrl}/media/clip.mp4?duration=${clip(index)}`,
		},
	}));
}

const params = (options: Record<string, unknown> = {}) => ({
	operation: 'submitAndWait',
	imageUrl: '={{ $json.image }}',
	videoUrl: '={{ $json.video }}',
	characterOrientation: 'image',
	quality: 'pro',
	prompt: 'dance',
	options: { pollInterval: 1, timeout: 2, ...options },
});

it('all status checks of a run share one budget: the rate stays at Status Requests per Second however large the batch', async () => {
	emu.jobMs = 1500;
	const result = await runKling(emu, { provider: 'waveSpeed', parameters: params({ statusRate: 4 }), input: items(16) });
	expect(result.error?.message).toBeUndefined();
	expect(result.items.map((item) => item.json.status)).toEqual(Array(16).fill('completed'));
	const report = emu.pollingReport();
	// 16 tasks that end together, seen at 4 per second (one more for a reply that arrives late).
	expect(report.peakPerSecond).toBeLessThanOrEqual(5);
	expect(report.statusRequests).toBeGreaterThanOrEqual(16);
	expect(emu.stats().duplicateSubmits).toBe(0);
});

it('once a task of the run has completed, the others are checked at their expected end: about one check each, not one per Poll Interval', async () => {
	// Plain polling every 0.5 s would check each of these 4 s jobs about 8 times.
	emu.jobMs = 4000;
	const result = await runKling(emu, { provider: 'waveSpeed', parameters: params({ pollInterval: 0.5 }), input: items(24) });
	expect(result.items.map((item) => item.json.status)).toEqual(Array(24).fill('completed'));
	const report = emu.pollingReport();
	expect(report.statusRequests / 24).toBeLessThan(2);
	// And seen soon after its end: the scout's check interval plus the budget's queue (24 at 25 per second).
	const delays = report.detectionDelaySeconds;
	expect(delays).toHaveLength(24);
	expect(delays[Math.floor(delays.length / 2)]).toBeLessThan(3);
});

it('the scouts are the shortest clips: a short task among long ones is seen at its own end, not at theirs', async () => {
	emu.jobMs = 5000;
	// Item 7 has a 3 s clip and a job that ends after 600 ms; the others 8 s clips and 5 s jobs.
	const input = items(12, (index) => (index === 7 ? 3 : 8));
	emu.setFault('n=7', { jobMs: 600 });
	const result = await runKling(emu, { provider: 'waveSpeed', parameters: params({ pollInterval: 1 }), input });
	expect(result.error?.message).toBeUndefined();
	expect(result.items.map((item) => item.json.status)).toEqual(Array(12).fill('completed'));
	const short = emu.tasks('waveSpeed').find((task) => String(task.imageUrl).endsWith('n=7'))!;
	expect(short.jobMs).toBe(600);
	// Seen at its first check (within about one Poll Interval of its end), long before the others end.
	expect(short.seenEndedAt! - (short.createdAt + short.jobMs)).toBeLessThan(2500);
});

it('a scout that fails hands the watch to the next task: the others are still seen when they end', async () => {
	emu.jobMs = 2500;
	const result = await runKling(emu, {
		provider: 'waveSpeed',
		parameters: params({ pollInterval: 1 }),
		input: items(6, undefined, (index) => (index === 0 ? 'fail' : '')),
		onError: 'continueRegularOutput',
	});
	expect(result.items.map((item) => item.json.status ?? 'error')).toEqual(['error', 'completed', 'completed', 'completed', 'completed', 'completed']);
	expect(result.items[0].json.error ?? result.items[0].json.message).toBeDefined();
	const delays = emu.pollingReport().detectionDelaySeconds;
	expect(Math.max(...delays)).toBeLessThan(4);
});

it('Get Status for many task ids stays within the budget too', async () => {
	emu.jobMs = 200;
	const submitted = await runKling(emu, { provider: 'waveSpeed', parameters: { ...params(), operation: 'submit', options: {} }, input: items(8) });
	const ids = submitted.items.map((item) => ({ json: { taskId: item.json.taskId } }));
	const result = await runKling(emu, {
		provider: 'waveSpeed',
		parameters: { operation: 'getStatus', taskId: '={{ $json.taskId }}', options: { statusRate: 2 } },
		input: ids,
	});
	expect(result.items).toHaveLength(8);
	expect(emu.pollingReport().peakPerSecond).toBeLessThanOrEqual(3);
});

describe('one list request for the whole wave, where the provider documents a list endpoint', () => {
	it.each([
		['kling', 0],
		['replicate', 0],
		// Oxen's list shows only active generations: each ended task is then asked once on its own.
		['oxen', 10],
	] as const)('%s: the batch is watched with list requests, not a request per task per Poll Interval', async (provider, singlesAtEnd) => {
		emu.jobMs = 3000;
		const result = await runKling(emu, { provider, parameters: params({ pollInterval: 0.5 }), input: items(10) });
		expect(result.error?.message).toBeUndefined();
		expect(result.items.map((item) => item.json.status)).toEqual(Array(10).fill('completed'));
		expect(result.items.every((item) => typeof item.json.videoUrl === 'string')).toBe(true);
		const stats = emu.stats();
		expect(stats.listRequests[provider]).toBeGreaterThan(0);
		// Plain polling: about 6 checks per task (3 s at 0.5 s); here a few lists plus the tasks' own checks at their end.
		expect(stats.statusRequests[provider]).toBeLessThanOrEqual(singlesAtEnd + 2);
		expect(stats.listRequests[provider] + stats.statusRequests[provider]).toBeLessThan(20);
	});

	it('a failing list falls back to each task asking on its own, and the batch completes', async () => {
		emu.jobMs = 2000;
		const input = items(6, undefined, (index) => (index === 0 ? 'list503,list503,list503' : ''));
		const result = await runKling(emu, { provider: 'kling', parameters: params({ pollInterval: 0.5 }), input });
		expect(result.error?.message).toBeUndefined();
		expect(result.items.map((item) => item.json.status)).toEqual(Array(6).fill('completed'));
		expect(emu.stats().statusRequests.kling).toBeGreaterThanOrEqual(6);
	});

	it('a list entry without its outputs is not a completed item: that task is asked on its own', async () => {
		emu.jobMs = 1500;
		const input = items(4, undefined, () => 'listNoOutput');
		const result = await runKling(emu, { provider: 'replicate', parameters: params({ pollInterval: 0.5 }), input });
		expect(result.items.map((item) => item.json.status)).toEqual(Array(4).fill('completed'));
		expect(result.items.every((item) => typeof item.json.videoUrl === 'string')).toBe(true);
		expect(emu.stats().statusRequests.replicate).toBeGreaterThanOrEqual(4);
	});
});
