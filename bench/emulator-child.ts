// The emulator in its own process, so the benchmark's CPU figures are the node's alone.
import { startEmulator } from '../test/emulator';

async function main() {
	const emu = await startEmulator({ jobMs: Number(process.env.BENCH_JOB_MS ?? 5000) });
	process.on('message', (message: { id: number; cmd: string; value?: number }) => {
		let result: unknown = null;
		if (message.cmd === 'stats') result = { ...emu.stats(), tasks: emu.tasks().length };
		if (message.cmd === 'reset') emu.reset();
		if (message.cmd === 'jobMs') emu.jobMs = message.value ?? emu.jobMs;
		process.send?.({ id: message.id, result });
	});
	process.send?.({ id: 0, result: { url: emu.url, cdnUrl: emu.cdnUrl, falStorageBaseUrl: emu.falStorageBaseUrl } });
}

void main();
