/**
 * `npm run bench`: batch throughput against the provider emulator (job time T, default 5 s).
 * Prints wall time, wall / T, status requests per task, the node's CPU time per item, and the same
 * batch run one item after another (how peer nodes work), with the targets beside the figures.
 *
 *   BENCH_JOB_MS=5000 BENCH_POLL_S=1 BENCH_PROVIDER=waveSpeed BENCH_SIZES=1,10,100 npm run bench
 *   npm run bench -- long      # the "long jobs" profile: T = 60 s, 200 items, the median of 3 runs
 *
 * Polling figures come from the emulator's own request log: status requests per task, their peak in
 * any one second and mean rate, and per task the delay between its end and the answer that said so.
 *
 * CPU is counted for the whole process (all threads: the node's JavaScript, n8n's engine and request
 * helper, V8's garbage collector and compiler threads) and, on Linux, for the main JavaScript thread alone.
 * No phase forces a garbage collection first: a forced full collection leaves V8 a tight heap limit,
 * which makes the next burst pay for extra full collections no running n8n server would make. In the
 * long profile each phase starts after BENCH_SETTLE_MS (12 s) idle instead, as a scheduled batch meets
 * an idle server: run back to back, a phase pays for the collections the phase before it left
 * pending (V8's memory reducer runs them once the process has been quiet for about 8 s).
 *
 * Two floors under the node, both the same number of bare requests through the HTTP stack of n8n's
 * request helper with no node at all: "burst" sends them all at once (the cheapest way to send them);
 * "same times" replays them at the instants the node's requests reached the emulator (the node's own
 * timeline: a burst of submits, then status checks spread over the wait). Spread-out requests cost
 * more each (every one wakes an idle process; V8's memory reducer runs full collections when a busy
 * process goes quiet), so the same-times floor is the one that measures what the node adds.
 *
 * BENCH_PROFILE=/tmp/run writes a V8 CPU profile of each measured batch (not of start-up or warm-up);
 * BENCH_HEAP_PROFILE=/tmp/run a sampling heap profile (every allocation, collected or not).
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

import { OutboundHttp } from '@n8n/backend-network';
import { Container } from '@n8n/di';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { PROVIDERS } from '../nodes/KlingMotionControl/providers';
import type { ProviderId } from '../nodes/KlingMotionControl/providers/types';
import { EMULATOR_KEYS } from '../test/emulator';
import { runKlingWith } from '../test/harness/kling';
import { forkEmulator, runBatch } from './batch';
import { helperFloorNode } from './helperFloor';

const LONG = process.argv.includes('long');
const PROFILE_DEFAULTS = LONG
	? { job: '60000', sizes: '200', repeat: '3', warmup: '1', sequential: '0', settle: '12000' }
	: { job: '5000', sizes: '1,10,100', repeat: '5', warmup: '2', sequential: '10', settle: '0' };
const T = Number(process.env.BENCH_JOB_MS ?? PROFILE_DEFAULTS.job);
// The node's own default poll interval (10 s): what a user gets without tuning.
const POLL_S = Number(process.env.BENCH_POLL_S ?? 10);
const PROVIDER = (process.env.BENCH_PROVIDER ?? 'waveSpeed') as ProviderId;
const SIZES = (process.env.BENCH_SIZES ?? PROFILE_DEFAULTS.sizes).split(',').map(Number);
const SEQUENTIAL_MAX = Number(process.env.BENCH_SEQUENTIAL_MAX ?? PROFILE_DEFAULTS.sequential);
const PREFLIGHT = process.env.BENCH_PREFLIGHT ?? 'on';
const REPEAT = Number(process.env.BENCH_REPEAT ?? PROFILE_DEFAULTS.repeat);
const WARMUP = Number(process.env.BENCH_WARMUP ?? PROFILE_DEFAULTS.warmup);
/** Warm-up batches run with short jobs (the JIT does not need a long wait to warm up). */
const WARMUP_JOB_MS = Math.min(T, 5000);
const PROFILE = process.env.BENCH_PROFILE;
const HEAP_PROFILE = process.env.BENCH_HEAP_PROFILE;
/** The node's Status Requests per Second (default: the node's own default). */
const STATUS_RATE = process.env.BENCH_STATUS_RATE ? Number(process.env.BENCH_STATUS_RATE) : undefined;
/**
 * Idle time before each measured phase (the node, then each floor): longer than V8's memory reducer
 * waits (8 s) before it collects what a busy phase left, so no phase pays for the one before it.
 */
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? PROFILE_DEFAULTS.settle);
const settle = async () => {
	if (SETTLE_MS > 0) await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
};

/** CPU milliseconds of this process's main thread (Linux /proc; clock ticks of 10 ms), or undefined. */
function mainThreadCpuMs(): number | undefined {
	try {
		const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return (Number(fields[11]) + Number(fields[12])) * 10;
	} catch {
		return undefined;
	}
}

/**
 * The floor under the node: CPU per item of the same number of bare HTTP requests, sent through the
 * stack n8n's request helper uses (axios, a new agent and connection per request), with no node at all.
 */
async function httpFloorMs(url: string, requests: number, concurrency: number, items: number): Promise<number> {
	const http = Container.get(OutboundHttp).requests();
	let sent = 0;
	const cpu0 = process.cpuUsage();
	await Promise.all(
		Array.from({ length: Math.max(1, concurrency) }, async () => {
			while (sent++ < requests) await bareRequest(http, url);
		}),
	);
	const cpu = process.cpuUsage(cpu0);
	return (cpu.user + cpu.system) / 1000 / items;
}

type BareHttp = ReturnType<OutboundHttp['requests']>;

async function bareRequest(http: BareHttp, url: string): Promise<void> {
	await http.request({ url, method: 'GET', headers: { Range: 'bytes=0-1023' }, encoding: 'arraybuffer', returnFullResponse: true, ignoreHttpStatusErrors: true });
}

/**
 * The same-times floor: one bare request at each offset (ms after the start) at which one of the
 * node's requests arrived, whatever else is still in flight — the node's timeline without the node.
 */
async function replayFloorMs(url: string, offsets: number[], items: number): Promise<number> {
	const http = Container.get(OutboundHttp).requests();
	const sorted = [...offsets].sort((a, b) => a - b);
	const inFlight: Array<Promise<void>> = [];
	const cpu0 = process.cpuUsage();
	const start = Date.now();
	for (let index = 0; index < sorted.length; ) {
		const wait = start + sorted[index] - Date.now();
		if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
		const now = Date.now() - start;
		while (index < sorted.length && sorted[index] <= now) {
			inFlight.push(bareRequest(http, url));
			index++;
		}
	}
	await Promise.all(inFlight);
	const cpu = process.cpuUsage(cpu0);
	return (cpu.user + cpu.system) / 1000 / items;
}

interface Polling {
	statusRequests: number;
	peakPerSecond: number;
	meanPerSecond: number;
	detectionDelaySeconds: number[];
}

let nextId = 1;
function ask(child: ChildProcess, cmd: string, value?: number): Promise<Record<string, unknown>> {
	const id = nextId++;
	return new Promise((resolve) => {
		const onMessage = (message: { id: number; result: Record<string, unknown> }) => {
			if (message.id !== id) return;
			child.off('message', onMessage);
			resolve(message.result);
		};
		child.on('message', onMessage);
		child.send({ id, cmd, value });
	});
}

async function main() {
	const { child, info } = await forkEmulator({ BENCH_JOB_MS: String(T) });
	const adapter = PROVIDERS[PROVIDER];
	const data: ICredentialDataDecryptedObject =
		PROVIDER === 'kling'
			? { ...EMULATOR_KEYS.kling, baseUrl: `${info.url}/kling` }
			: { apiKey: (EMULATOR_KEYS as unknown as Record<string, string>)[PROVIDER], baseUrl: `${info.url}/${PROVIDER}`, storageBaseUrl: info.falStorageBaseUrl };
	const credentials = { [adapter.credentialType]: data };

	const run = async (count: number, tag: string) =>
		await runBatch(credentials, PROVIDER, info.cdnUrl, count, tag, {
			pollInterval: POLL_S,
			preflight: PREFLIGHT,
			...(STATUS_RATE ? { statusRate: STATUS_RATE } : {}),
		});

	/** CPU per item of the smallest node sending the same requests through n8n's request helper (helperFloor.ts). */
	const helperFloorMs = async (count: number, requestsPerItem: number, tag: string) => {
		const nodeType = helperFloorNode(adapter, { baseUrl: String(data.baseUrl) }, () => requestsPerItem);
		const input = Array.from({ length: count }, (_, index) => ({
			json: { image: `${info.cdnUrl}/media/char.png?${tag}=${index}`, video: `${info.cdnUrl}/media/clip.mp4?duration=5&w=720&h=1280` },
		}));
		const cpu0 = process.cpuUsage();
		const result = await runKlingWith(credentials, { provider: PROVIDER, parameters: {}, input, nodeType });
		const cpu = process.cpuUsage(cpu0);
		if (result.items.length !== count) throw new Error(`helper floor: ${result.error?.message ?? 'missing items'}`);
		await ask(child, 'reset');
		return (cpu.user + cpu.system) / 1000 / count;
	};

	// Steady state, as on a running n8n server: warm-up batches of the largest size first (JIT, module loading).
	for (let index = 0; index < WARMUP; index++) {
		await ask(child, 'jobMs', WARMUP_JOB_MS);
		await run(Math.max(...SIZES), `warmup${index}`);
		await ask(child, 'reset');
	}
	const session = PROFILE || HEAP_PROFILE ? new Session() : undefined;
	if (session) {
		session.connect();
		await session.post(PROFILE ? 'Profiler.enable' : 'HeapProfiler.enable');
	}
	console.log(`Kling Motion Control batch benchmark — provider protocol ${adapter.displayName}, job time T = ${T / 1000} s, pollInterval = ${POLL_S} s, pre-flight ${PREFLIGHT}, emulator in a separate process\n`);
	const rows: string[][] = [];
	const verdicts: string[] = [];
	// Median CPU of one whole batch, per size: the per-item cost is the slope between sizes.
	const batchCpuMs = new Map<number, number>();
	let sequentialPerItem: number | undefined;
	let sequentialMeasured = 0;
	const statusTarget = T / 1000 / POLL_S + 2;
	const wallTarget = 1.3 * (T / 1000 + POLL_S);
	for (const size of SIZES) {
		// Median of BENCH_REPEAT runs: a single run's CPU figure swings with garbage collection.
		const runs: Array<{ wall: number; cpuMs: number; mainMs?: number; floorMs: number; replayMs: number; helperMs: number; requests: number; completed: number; statusRequests: number; duplicates: number; polling: Polling }> = [];
		for (let repeat = 0; repeat < REPEAT; repeat++) {
			await ask(child, 'reset');
			await settle();
			if (session && PROFILE) await session.post('Profiler.start');
			if (session && HEAP_PROFILE) {
				// Node 20's typings lack the two include flags V8 takes (every allocation, collected or not).
				const sampling = { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true };
				await session.post('HeapProfiler.startSampling', sampling as { samplingInterval: number });
			}
			const main0 = mainThreadCpuMs();
			const cpu0 = process.cpuUsage();
			const t0 = Date.now();
			const result = await run(size, `b${size}-${repeat}`);
			const wallSeconds = (Date.now() - t0) / 1000;
			const cpu = process.cpuUsage(cpu0);
			const main1 = mainThreadCpuMs();
			if (session && PROFILE) {
				const { profile } = await session.post('Profiler.stop');
				writeFileSync(`${PROFILE}-${size}-${repeat}.cpuprofile`, JSON.stringify(profile));
			}
			if (session && HEAP_PROFILE) {
				const { profile } = await session.post('HeapProfiler.stopSampling');
				writeFileSync(`${HEAP_PROFILE}-${size}-${repeat}.heapprofile`, JSON.stringify(profile));
			}
			const offsets = ((await ask(child, 'timeline')) as unknown as number[]).map((at) => at - t0);
			const stats = await ask(child, 'stats');
			const polling = (await ask(child, 'polling')) as unknown as Polling;
			const requests = Number(stats.requests);
			await settle();
			const floorMs = await httpFloorMs(`${info.cdnUrl}/media/char.png?floor=1`, requests, size, size);
			await settle();
			const replayMs = await replayFloorMs(`${info.cdnUrl}/media/char.png?floor=2`, offsets, size);
			await settle();
			const helperMs = await helperFloorMs(size, requests / size, `f${size}-${repeat}`);
			runs.push({
				requests,
				floorMs,
				replayMs,
				helperMs,
				wall: wallSeconds,
				cpuMs: (cpu.user + cpu.system) / 1000 / size,
				mainMs: main0 !== undefined && main1 !== undefined ? (main1 - main0) / size : undefined,
				completed: result.items.filter((item) => item.json.status === 'completed').length,
				statusRequests: Object.values(stats.statusRequests as Record<string, number>).reduce((a, b) => a + b, 0),
				duplicates: Number(stats.duplicateSubmits),
				polling,
			});
		}
		const median = <T,>(values: T[], key: (value: T) => number) => [...values].sort((a, b) => key(a) - key(b))[Math.floor(values.length / 2)];
		const mid = median(runs, (r) => r.cpuMs);
		const wall = median(runs, (r) => r.wall).wall;
		const completed = Math.min(...runs.map((r) => r.completed));
		const statusRequests = Math.max(...runs.map((r) => r.statusRequests));
		const stats = { duplicateSubmits: runs.reduce((sum, r) => sum + r.duplicates, 0) };
		const perTask = statusRequests / size;
		const cpuMs = mid.cpuMs;
		batchCpuMs.set(size, cpuMs * size);
		const mains = runs.map((r) => r.mainMs).filter((v): v is number => v !== undefined);
		const mainMs = mains.length ? median(mains, (v) => v) : undefined;
		const mainCell = mainMs === undefined ? 'n/a' : `${mainMs.toFixed(2)} ms`;
		const floorMs = median(runs, (r) => r.floorMs).floorMs;
		const replayMs = median(runs, (r) => r.replayMs).replayMs;
		// Per run (the node and its floors measured back to back share the machine's mood), then the median.
		const replayRatio = median(runs.map((r) => r.cpuMs / r.replayMs), (v) => v);
		const burstRatio = median(runs.map((r) => r.cpuMs / r.floorMs), (v) => v);
		const floorCell = `${replayMs.toFixed(2)} / ${floorMs.toFixed(2)} ms (${(median(runs, (r) => r.requests).requests / size).toFixed(1)} req)`;
		const peak = Math.max(...runs.map((r) => r.polling.peakPerSecond));
		const meanRate = median(runs, (r) => r.polling.meanPerSecond).polling.meanPerSecond;
		const delays = runs.flatMap((r) => r.polling.detectionDelaySeconds).sort((a, b) => a - b);
		const delayMedian = delays.length ? delays[Math.floor(delays.length / 2)] : NaN;
		const delayWorst = delays.length ? delays[delays.length - 1] : NaN;
		const helperMs = median(runs, (r) => r.helperMs).helperMs;
		const pollCells = [`${peak} / ${meanRate.toFixed(1)}`, `${delayMedian.toFixed(1)} / ${delayWorst.toFixed(1)} s`, `${replayRatio.toFixed(2)}× / ${burstRatio.toFixed(2)}×`, `${helperMs.toFixed(2)} ms (node ${(cpuMs / helperMs).toFixed(2)}×)`];
		if (runs.length > 1) {
			const each = runs.map((r) => `${r.cpuMs.toFixed(1)} / ${r.replayMs.toFixed(1)} / ${r.floorMs.toFixed(1)} ms (${(r.cpuMs / r.replayMs).toFixed(2)}×)`);
			verdicts.push(`${size} items, each run: node / same-times floor / burst floor = ${each.join('; ')}`);
		}
		verdicts.push(
			`${size} items: status req/task ${perTask.toFixed(2)} (${perTask <= 2 ? 'OK' : 'MISSED'} ≤ 2.0); peak ${peak} per second (${peak <= 30 ? 'OK' : 'MISSED'} ≤ 30), mean ${meanRate.toFixed(1)}/s; ` +
				`wall ${wall.toFixed(1)} s (${wall <= T / 1000 + POLL_S + 2 ? 'OK' : 'MISSED'} ≤ T + poll + 2 = ${(T / 1000 + POLL_S + 2).toFixed(1)} s); ` +
				`seen after end: median ${delayMedian.toFixed(1)} s (${delayMedian <= POLL_S ? 'OK' : 'MISSED'} ≤ ${POLL_S} s), worst ${delayWorst.toFixed(1)} s; ` +
				`CPU ${cpuMs.toFixed(2)} ms vs the same requests at the same times ${replayMs.toFixed(2)} ms = ${replayRatio.toFixed(2)}× (${replayRatio <= 1.5 ? 'OK' : 'MISSED'} ≤ 1.5×), ` +
				`vs the same requests in one burst ${floorMs.toFixed(2)} ms = ${burstRatio.toFixed(2)}×; ` +
				`the smallest node sending the same requests through n8n's helper in one burst: ${helperMs.toFixed(2)} ms (the Kling node ${(cpuMs / helperMs).toFixed(2)}× it)`,
		);

		let sequential = '';
		let speedup = '';
		const seqCount = Math.min(size, SEQUENTIAL_MAX);
		if (seqCount === 0) {
			rows.push([String(size), `${completed}/${size}`, `${wall.toFixed(2)} s`, `${(wall / (T / 1000)).toFixed(2)}`, '', perTask.toFixed(2), ...pollCells, `${cpuMs.toFixed(2)} ms`, mainCell, floorCell, '', '', String(stats.duplicateSubmits)]);
			continue;
		}
		// One item after another: measured once on up to SEQUENTIAL_MAX items, then scaled to each size.
		if (sequentialPerItem === undefined || seqCount > sequentialMeasured) {
			const s0 = Date.now();
			for (let index = 0; index < seqCount; index++) await run(1, `s${size}-${index}`);
			sequentialPerItem = (Date.now() - s0) / 1000 / seqCount;
			sequentialMeasured = seqCount;
		}
		const seqWall = sequentialPerItem * size;
		sequential = `${seqWall.toFixed(1)} s${sequentialMeasured < size ? ` (${sequentialMeasured} measured, scaled ×${Math.round((size / sequentialMeasured) * 10) / 10})` : ''}`;
		speedup = `${(seqWall / wall).toFixed(1)}×`;

		rows.push([
			String(size),
			`${completed}/${size}`,
			`${wall.toFixed(2)} s`,
			`${(wall / (T / 1000)).toFixed(2)}`,
			size === 100 ? `${wall <= wallTarget ? 'OK' : 'MISSED'} ≤ ${wallTarget.toFixed(1)} s` : '',
			`${perTask.toFixed(2)} (${perTask <= statusTarget ? 'OK' : 'MISSED'} ≤ ${statusTarget.toFixed(1)})`,
			...pollCells,
			`${cpuMs.toFixed(2)} ms (${cpuMs < 5 ? 'OK' : 'MISSED'} < 5)`,
			mainCell,
			floorCell,
			sequential,
			speedup,
			String(stats.duplicateSubmits),
		]);
	}
	const header = ['items', 'completed', 'wall', 'wall/T', '100-item target', 'status req/task', 'status peak/s / mean/s', 'seen after end median / worst', 'CPU / floor (same times / burst)', 'n8n helper node floor/item', 'node CPU/item (all threads)', 'main thread/item', 'bare n8n HTTP/item (same times / burst)', 'one after another', 'speed-up', 'dup submits'];
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
	const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ');
	console.log(line(header));
	console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
	for (const row of rows) console.log(line(row));
	console.log(`\nPolling targets (issue 18), T = ${T / 1000} s, Poll Interval ${POLL_S} s:`);
	for (const verdict of verdicts) console.log(`  ${verdict}`);
	const sizes = [...batchCpuMs.keys()].sort((a, b) => a - b);
	if (sizes.length > 1) {
		const small = sizes[0];
		const large = sizes[sizes.length - 1];
		const marginal = (batchCpuMs.get(large)! - batchCpuMs.get(small)!) / (large - small);
		console.log(
			`\nCPU per item, marginal (${large} items vs ${small}): ${marginal.toFixed(2)} ms (${marginal < 5 ? 'OK' : 'MISSED'} < 5): the cost of one more item, without the batch's fixed costs.`,
		);
		console.log(
			'"bare n8n HTTP/item": the same number of requests sent through the HTTP stack of n8n\'s request helper with no node at all — the floor under the node — at the times the node sent them, and in one burst.',
		);
	}
	child.kill();
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
