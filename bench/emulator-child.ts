// The emulator in its own process, so the benchmark's CPU figures are the node's alone.
import { startEmulator } from '../test/emulator';

async function main() {
	const emu = await startEmulator({ jobMs: Number(process.env.BENCH_JOB_MS ?? 5000) });
	// A large output for the memory benchmark (the emulator streams it, never holding it whole).
	if (process.env.BENCH_OUTPUT_BYTES) emu.setFault('big=1', { outputBytes: Number(process.env.BENCH_OUTPUT_BYTES) });
	process.on('message', (message: { id: number; cmd: string; value?: number }) => {
		let result: unknown = null;
		if (message.cmd === 'stats') result = { ...emu.stats(), tasks: emu.tasks().length, requests: emu.requests.length };
		if (message.cmd === 'polling') result = emu.pollingReport();
		// When each request of the last run arrived (ms since the epoch), for the benchmark's replay floor.
		if (message.cmd === 'timeline') result = emu.requests.map((request) => request.at);
		if (message.cmd === 'reset') emu.reset();
		if (message.cmd === 'jobMs') emu.jobMs = message.value ?? emu.jobMs;
		process.send?.({ id: message.id, result });
	});
	process.send?.({ id: 0, result: { url: emu.url, cdnUrl: emu.cdnUrl, falStorageBaseUrl: emu.falStorageBaseUrl } });
}

void main();
