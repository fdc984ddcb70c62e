/**
 * `npm run bench:waiting`: what a batch keeps in memory while it waits. Runs N items (default 200,
 * distinct images, one shared clip) with jobs of T (default 20 s) and, half-way through the wait,
 * prints the JavaScript heap and the ArrayBuffer memory (socket and read buffers) kept per waiting
 * item, each after a full collection, against the same figures just before the batch.
 *
 *   BENCH_WAIT_ITEMS=200 BENCH_JOB_MS=20000 npm run bench:waiting
 */
import { EMULATOR_KEYS } from '../test/emulator';
import { forkEmulator, runBatch } from './batch';

const ITEMS = Number(process.env.BENCH_WAIT_ITEMS ?? 200);
const T = Number(process.env.BENCH_JOB_MS ?? 20000);
const KB = 1024;

function retained(): { heap: number; buffers: number } {
	global.gc?.();
	global.gc?.();
	const usage = process.memoryUsage();
	return { heap: usage.heapUsed, buffers: usage.arrayBuffers };
}

async function main() {
	if (!global.gc) throw new Error('run with node --expose-gc (npm run bench:waiting does)');
	const { child, info } = await forkEmulator({ BENCH_JOB_MS: String(T) });
	const credentials = { klingMcWaveSpeedApi: { apiKey: EMULATOR_KEYS.waveSpeed, baseUrl: `${info.url}/waveSpeed` } };
	const run = async (count: number, tag: string) => await runBatch(credentials, 'waveSpeed', info.cdnUrl, count, tag, { pollInterval: 10 });
	// Warm-up (module loading, JIT), then the baseline just before the measured batch.
	await run(20, 'warm');
	const before = retained();
	const batch = run(ITEMS, 'batch');
	await new Promise((resolve) => setTimeout(resolve, T / 2));
	const during = retained();
	const result = await batch;
	const completed = result.items.filter((item) => item.json.status === 'completed').length;
	const per = (bytes: number) => `${(bytes / ITEMS / KB).toFixed(1)} KB (${(bytes / KB / KB).toFixed(1)} MB in all)`;
	console.log(`${ITEMS} items waiting for jobs of ${T / 1000} s (WaveSpeedAI protocol, pre-flight on), half-way through the wait:`);
	console.log(`  JavaScript heap kept per waiting item:  ${per(during.heap - before.heap)}`);
	console.log(`  socket and read buffers kept per item:  ${per(during.buffers - before.buffers)}`);
	console.log(`  completed: ${completed}/${ITEMS}`);
	child.kill();
	if (completed !== ITEMS) process.exitCode = 1;
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
