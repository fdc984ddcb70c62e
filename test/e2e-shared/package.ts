// The package under test, as a user gets it: `npm run build`, `npm pack` (the files package.json
// "files" lists, not the work tree), unpacked where n8n's Community Nodes installs packages.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { CACHE, ROOT } from './install';

export const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

/** The environment without what `npm run` exports (npm_config_local_prefix etc.). */
const cleanEnv = (): NodeJS.ProcessEnv => Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));

/** `npm run build` (unless skipBuild) and `npm pack` into `outDir`; the tarball's path. The build's output goes to `<outDir>/build.log`. */
export function buildAndPack({ outDir = join(CACHE, 'pack'), skipBuild = false }: { outDir?: string; skipBuild?: boolean } = {}): string {
	rmSync(outDir, { recursive: true, force: true });
	mkdirSync(outDir, { recursive: true });
	const env = cleanEnv();
	if (!skipBuild) {
		const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, env, encoding: 'utf8' });
		writeFileSync(join(outDir, 'build.log'), `${r.stdout}\n${r.stderr}`);
		if (r.status !== 0) throw new Error(`npm run build failed:\n${`${r.stdout}\n${r.stderr}`.slice(-4000)}`);
	}
	const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', outDir, '--loglevel=error'], { cwd: ROOT, env, encoding: 'utf8' })) as Array<{
		filename: string;
	}>;
	return join(outDir, packed[0].filename);
}

let packedOnce: string | undefined;
/** buildAndPack() once per run (later calls reuse the tarball). */
export function packageTarball(skipBuild = false): string {
	packedOnce ??= buildAndPack({ skipBuild });
	return packedOnce;
}

/** name and version from a package tarball's package.json. */
function manifestOf(tarball: string): { name: string; version: string } {
	return JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })) as { name: string; version: string };
}

/**
 * Installs package tarballs the way n8n's Community Nodes screen does:
 * `<user folder>/.n8n/nodes/node_modules/<name>` and `<user folder>/.n8n/nodes/package.json` naming them.
 */
export function installPackages(tarballs: string[], userFolder: string): void {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	const dependencies: Record<string, string> = {};
	for (const tarball of tarballs) {
		const { name, version } = manifestOf(tarball);
		const dest = join(nodesDir, 'node_modules', name);
		rmSync(dest, { recursive: true, force: true });
		mkdirSync(dest, { recursive: true });
		execFileSync('tar', ['-xzf', tarball, '-C', dest, '--strip-components=1']);
		dependencies[name] = version;
	}
	writeFileSync(join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true, dependencies }, null, 2));
}
