// The documented list endpoints (Kling's task list, Oxen's generations list, Replicate's prediction
// list) as the emulator serves them, asked through the adapters' own statusList requests: strict
// queries, page limits, newest first, listRequests counted apart from statusRequests, the list faults.
import { PROVIDERS } from '../../nodes/KlingMotionControl/providers';
import type { ProviderAdapter, RequestSpec, TaskHandle, TaskState } from '../../nodes/KlingMotionControl/providers/types';
import type { Emulator } from './index';
import { EMULATOR_KEYS, klingJwt, startEmulator } from './index';

jest.setTimeout(30000);

let emu: Emulator;
let media: string;

beforeAll(async () => {
	emu = await startEmulator({ jobMs: 2000, queuedMs: 200 });
	media = `${emu.cdnUrl}/media/clip.mp4?duration=5&w=720&h=1280`;
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset());

type ListedId = 'kling' | 'oxen' | 'replicate';
const auth: Record<ListedId, () => string> = {
	kling: () => `Bearer ${klingJwt()}`,
	oxen: () => `Bearer ${EMULATOR_KEYS.oxen}`,
	replicate: () => `Bearer ${EMULATOR_KEYS.replicate}`,
};
const img = (tag: string, faults?: string) => `https://images.example.com/${tag}.png${faults ? `?emu=${faults}` : ''}`;

async function call(id: ListedId, spec: Pick<RequestSpec, 'method' | 'url' | 'qs' | 'body'>): Promise<{ status: number; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
	const url = new URL(spec.url);
	for (const [k, v] of Object.entries(spec.qs ?? {})) url.searchParams.set(k, v);
	const res = await fetch(url, {
		method: spec.method,
		headers: { authorization: auth[id](), ...(spec.body ? { 'content-type': 'application/json' } : {}) },
		body: spec.body ? JSON.stringify(spec.body) : undefined,
	});
	const text = await res.text();
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, json };
}

/** Submit through the adapter, as the node would. */
async function submit(id: ListedId, tag: string, faults?: string): Promise<TaskHandle> {
	const adapter: ProviderAdapter = PROVIDERS[id];
	const spec = adapter.buildSubmit(
		{ imageUrl: img(tag, faults), videoUrl: media, characterOrientation: 'image', quality: 'pro', prompt: `dance ${tag}` },
		{ baseUrl: emu.baseUrl(id) },
		'wait',
	);
	const res = await call(id, spec);
	expect(res.status).toBeLessThan(300);
	return adapter.parseSubmit(res.json).handle;
}

async function list(id: ListedId, handles: TaskHandle[]): Promise<{ status: number; states: Map<string, TaskState> }> {
	const adapter: ProviderAdapter = PROVIDERS[id];
	const ctx = { baseUrl: emu.baseUrl(id) };
	const res = await call(id, adapter.statusList!.build(handles, ctx));
	return { status: res.status, states: res.status === 200 ? adapter.statusList!.parse(res.json, handles, ctx) : new Map() };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Until every task of the provider has ended (the emulator's clock, no fixed sleep). */
async function allEnded(id: ListedId): Promise<void> {
	while (emu.tasks(id).some((t) => t.status === 'queued' || t.status === 'processing')) await sleep(50);
}

describe.each(['kling', 'oxen', 'replicate'] as const)('%s list endpoint through the adapter', (id) => {
	test('one request answers every task; counted in listRequests, not statusRequests', async () => {
		const handles = [await submit(id, 'a'), await submit(id, 'b'), await submit(id, 'c')];
		const running = await list(id, [...handles, { taskId: 'not-a-task' }]);
		expect(running.status).toBe(200);
		expect([...running.states.keys()].sort()).toEqual(handles.map((h) => h.taskId).sort());
		for (const state of running.states.values()) expect(['queued', 'processing']).toContain(state.status);
		expect(emu.stats().listRequests[id]).toBe(1);
		expect(emu.stats().statusRequests[id]).toBe(0);

		await allEnded(id);
		const ended = await list(id, handles);
		if (id === 'oxen') {
			// Without a status filter Oxen lists active generations only: ended ones are checked alone.
			expect(ended.states.size).toBe(0);
		} else {
			expect(ended.states.size).toBe(3);
			for (const state of ended.states.values()) {
				expect(state.status).toBe('completed');
				expect(state.videoUrls).toHaveLength(1);
			}
		}
		expect(emu.stats().listRequests[id]).toBe(2);
	});

	test('list500 / list503 make the next list requests fail; then the list answers again', async () => {
		const handle = await submit(id, 'f', 'list500,list503');
		expect((await list(id, [handle])).status).toBe(500);
		expect((await list(id, [handle])).status).toBe(503);
		const ok = await list(id, [handle]);
		expect(ok.status).toBe(200);
		expect(ok.states.has(handle.taskId)).toBe(true);
		expect(emu.stats().listRequests[id]).toBe(3);
	});

	test('listNoOutput: the entry of an ended task lacks its outputs, its own status request has them', async () => {
		if (id === 'oxen') return; // ended generations are not in Oxen's default list at all
		const handle = await submit(id, 'n', 'listNoOutput');
		await allEnded(id);
		const listed = (await list(id, [handle])).states.get(handle.taskId);
		expect(listed).toMatchObject({ status: 'completed', videoUrls: [] });
		const adapter: ProviderAdapter = PROVIDERS[id];
		const ctx = { baseUrl: emu.baseUrl(id) };
		const single = adapter.parseStatus((await call(id, adapter.buildStatus(handle, ctx))).json, handle, ctx);
		expect(single.status).toBe('completed');
		expect(single.videoUrls).toHaveLength(1);
	});

	test('auth is required', async () => {
		const spec = PROVIDERS[id].statusList!.build([], { baseUrl: emu.baseUrl(id) });
		const url = new URL(spec.url);
		for (const [k, v] of Object.entries(spec.qs ?? {})) url.searchParams.set(k, v);
		expect((await fetch(url, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
	});
});

describe('documented query limits', () => {
	test('Kling: pageNum 1–1000, pageSize 1–500, newest first, unknown parameters refused', async () => {
		const first = await submit('kling', 'k1');
		const second = await submit('kling', 'k2');
		const base = `${emu.baseUrl('kling')}/v1/videos/motion-control`;
		const page = await call('kling', { method: 'GET', url: base, qs: { pageNum: '1', pageSize: '1' } });
		expect(page.json.data.map((t: { task_id: string }) => t.task_id)).toEqual([second.taskId]);
		const page2 = await call('kling', { method: 'GET', url: base, qs: { pageNum: '2', pageSize: '1' } });
		expect(page2.json.data.map((t: { task_id: string }) => t.task_id)).toEqual([first.taskId]);
		expect((await call('kling', { method: 'GET', url: base })).json.data).toHaveLength(2); // defaults 1 / 30
		const bads: Array<Record<string, string>> = [{ pageSize: '501' }, { pageSize: '0' }, { pageNum: '1001' }, { pageSize: '1.5' }, { page_size: '10' }];
		for (const qs of bads) {
			const bad = await call('kling', { method: 'GET', url: base, qs });
			expect(bad.status).toBe(400);
			expect(bad.json.code).toBe(1201);
		}
	});

	test('Oxen: {count, generations}; status filter includes terminal ones; bad filters refused', async () => {
		const handle = await submit('oxen', 'o1');
		const base = `${emu.baseUrl('oxen')}/queue`;
		const active = await call('oxen', { method: 'GET', url: base });
		expect(active.json).toMatchObject({ count: 1, generations: [{ generation_id: handle.taskId, model_name: 'kling-video-v3-pro-motion-control' }] });
		await allEnded('oxen');
		expect((await call('oxen', { method: 'GET', url: base })).json).toEqual({ count: 0, generations: [] });
		const succeeded = await call('oxen', { method: 'GET', url: base, qs: { status: 'succeeded' } });
		expect(succeeded.json.generations[0]).toMatchObject({ generation_id: handle.taskId, status: 'succeeded' });
		expect(succeeded.json.generations[0].result_url).toMatch(/\/files\/oxen\//);
		expect((await call('oxen', { method: 'GET', url: base, qs: { status: 'done' } })).status).toBe(400);
		expect((await call('oxen', { method: 'GET', url: base, qs: { page: '2' } })).status).toBe(400);
		expect((await call('oxen', { method: 'GET', url: base, qs: { model: 'other-model' } })).json.count).toBe(0);
	});

	test('Replicate: 100 per page, newest first, next cursor, date filters, source=web', async () => {
		const handles: TaskHandle[] = [];
		for (let i = 0; i < 102; i++) handles.push(await submit('replicate', `r${i}`));
		const base = `${emu.baseUrl('replicate')}/v1/predictions`;
		const page = await call('replicate', { method: 'GET', url: base });
		expect(page.json.results).toHaveLength(100);
		expect(page.json.results[0].id).toBe(handles[101].taskId);
		expect(page.json.previous).toBeNull();
		const next = await call('replicate', { method: 'GET', url: page.json.next as string });
		expect(next.json.results.map((p: { id: string }) => p.id)).toEqual([handles[1].taskId, handles[0].taskId]);
		expect(next.json.next).toBeNull();
		// The adapter's one request covers the newest 100: the two oldest are simply not found.
		const states = (await list('replicate', handles)).states;
		expect(states.size).toBe(100);
		expect(states.has(handles[0].taskId)).toBe(false);
		expect((await call('replicate', { method: 'GET', url: base, qs: { source: 'web' } })).json.results).toEqual([]);
		expect((await call('replicate', { method: 'GET', url: base, qs: { created_after: '2999-01-01T00:00:00Z' } })).json.results).toEqual([]);
		expect((await call('replicate', { method: 'GET', url: base, qs: { created_after: 'yesterday' } })).status).toBe(400);
		expect((await call('replicate', { method: 'GET', url: base, qs: { limit: '200' } })).status).toBe(400);
	});
});
