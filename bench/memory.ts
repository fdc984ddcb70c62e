/**
 * `npm run bench:memory`: downloads a large output (default 300 MB) with Download Video into n8n's
 * filesystem binary storage and prints peak RSS growth beside the file size. The emulator runs in
 * its own process, so the figure is the node's alone.
 *
 *   BENCH_OUTPUT_MB=300 npm run bench:memory
 */
import fs from 'node:fs';
import path from 'node:path';

import { EMULATOR_KEYS } from '../test/emulator';
import { binaryService } from '../test/harness/n8n';
import { runKlingWith } from '../test/harness/kling';
import { forkEmulator } from './batch';

const MB = 1024 * 1024;
const OUTPUT_MB = Number(process.env.BENCH_OUTPUT_MB ?? 300);

async function main() {
	const { child, info } = await forkEmulator({ BENCH_JOB_MS: '500', BENCH_OUTPUT_BYTES: String(OUTPUT_MB * MB) });
	const credentials = { klingMcFalApi: { apiKey: EMULATOR_KEYS.fal, baseUrl: `${info.url}/fal` } };
	const run = async (image: string) =>
		await runKlingWith(credentials, {
			provider: 'fal',
			parameters: {
				operation: 'submitAndWait',
				imageUrl: image,
				videoUrl: `${info.cdnUrl}/media/clip.mp4?duration=5`,
				characterOrientation: 'image',
				quality: 'pro',
				options: { pollInterval: 0.2, timeout: 5, downloadVideo: true },
			},
		});

	// Warm up with a small file (module loading, JIT), then measure the large one.
	await run(`${info.cdnUrl}/media/char.png?warm=1`);
	global.gc?.();
	const baseline = process.memoryUsage().rss;
	let peak = baseline;
	const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
	const started = Date.now();
	const result = await run(`${info.cdnUrl}/media/char.png?big=1`);
	clearInterval(sampler);
	peak = Math.max(peak, process.memoryUsage().rss);
	const seconds = (Date.now() - started) / 1000;
	const binary = result.items[0]?.binary?.data;
	if (!binary?.id) throw new Error(`no binary output: ${result.error?.message ?? JSON.stringify(result.items[0]?.json)}`);
	const stored = await binaryService().getMetadata(binary.id);
	const filePath = path.join(process.env.N8N_BINARY_DATA_STORAGE_PATH ?? '', binary.id.split(':')[1] ?? '');
	const onDisk = fs.existsSync(filePath) ? fs.statSync(filePath).size : stored.fileSize;
	console.log(`Download Video into filesystem binary storage (n8n-core BinaryDataService, mode ${binary.data})`);
	console.log(`  output file:          ${(Number(onDisk) / MB).toFixed(1)} MB (${binary.fileName}, ${binary.mimeType})`);
	console.log(`  wall time:            ${seconds.toFixed(1)} s`);
	console.log(`  baseline RSS:         ${(baseline / MB).toFixed(1)} MB`);
	console.log(`  peak RSS growth:      ${((peak - baseline) / MB).toFixed(1)} MB  (target < 100 MB: ${peak - baseline < 100 * MB ? 'OK' : 'MISSED'})`);
	child.kill();
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
