// Run the provider emulator standalone:
//   node -r ts-node/register/transpile-only test/emulator/cli.ts [--port 8787] [--cdn-port 8788] [--host 127.0.0.1] [--job-ms 5000] [--queued-ms 1000] [--verbose]
import { EMULATOR_KEYS, PROVIDER_IDS, klingJwt, startEmulator } from './index';

function arg(name: string): string | undefined {
	const i = process.argv.indexOf(`--${name}`);
	if (i >= 0) return process.argv[i + 1];
	const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
	return eq?.slice(name.length + 3);
}

function num(name: string): number | undefined {
	const v = arg(name);
	if (v === undefined) return undefined;
	const n = Number(v);
	if (!Number.isFinite(n)) throw new Error(`--${name} must be a number`);
	return n;
}

async function main(): Promise<void> {
	const emu = await startEmulator({
		port: num('port') ?? 8787,
		cdnPort: num('cdn-port'),
		host: arg('host'),
		jobMs: num('job-ms') ?? 5000,
		queuedMs: num('queued-ms'),
	});
	const lines = [
		`Kling Motion Control provider emulator`,
		`  API listener : ${emu.url}`,
		`  CDN listener : ${emu.cdnUrl}   (outputs /files/…, input media /media/clip.mp4?duration=5&w=720&h=1280, /media/char.png)`,
		`  job time     : ${emu.jobMs} ms (queued ${emu.queuedMs ?? Math.round(emu.jobMs * 0.2)} ms)`,
		``,
		`  provider     baseUrl                                   key`,
		...PROVIDER_IDS.map((p) => {
			const key = p === 'kling' ? `accessKey=${EMULATOR_KEYS.kling.accessKey} secretKey=${EMULATOR_KEYS.kling.secretKey}` : EMULATOR_KEYS[p];
			return `  ${p.padEnd(12)} ${emu.baseUrl(p).padEnd(41)} ${key}`;
		}),
		`  fal storageBaseUrl: ${emu.falStorageBaseUrl}`,
		`  EvoLink files API : ${emu.evoLinkFilesBaseUrl}`,
		``,
		`  sample Kling JWT (30 min): ${klingJwt()}`,
		`  faults: add ?emu=fail,poll503,… to the character image URL (see test/emulator/README.md)`,
		`  Ctrl-C to stop.`,
	];
	console.log(lines.join('\n'));

	if (process.argv.includes('--verbose')) {
		let seen = 0;
		setInterval(() => {
			const reqs = emu.requests;
			for (; seen < reqs.length; seen++) {
				const r = reqs[seen];
				console.log(`${new Date(r.at).toISOString()} ${r.provider.padEnd(12)} ${r.method.padEnd(6)} ${r.path}`);
			}
		}, 200);
	}

	const stop = (): void => {
		console.log('\nstats:', JSON.stringify(emu.stats()));
		void emu.close().then(() => process.exit(0));
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
