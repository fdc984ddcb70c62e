// What a suite's run.ts needs around its scenarios: command-line arguments, checks that name where they
// failed, one PASS/FAIL line per scenario, the results file and the exit code.
import { writeFileSync } from 'node:fs';

/** `--name value` or `--name=value`. */
export function arg(name: string): string | undefined {
	const i = process.argv.indexOf(`--${name}`);
	if (i >= 0) return process.argv[i + 1];
	return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** `--name` given. */
export const flag = (name: string): boolean => process.argv.includes(`--${name}`);

/** `--only a,b` (or the environment variable `envName`), as a list; undefined when neither is set. */
export function only(envName: string): string[] | undefined {
	const v = arg('only') ?? process.env[envName];
	return v ? v.split(',') : undefined;
}

export const secs = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;
export const log = (s: string): void => console.log(s);
const indent = (s: string): string => s.replace(/^/gm, '        ');

export class Check {
	constructor(private readonly where: string) {}
	ok(cond: unknown, msg: string): asserts cond {
		if (!cond) throw new Error(`${this.where}: ${msg}`);
	}
	eq(actual: unknown, expected: unknown, what: string): void {
		if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`${this.where}: ${what} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
	}
}

export interface Result {
	target?: string;
	name: string;
	ok: boolean;
	seconds: number;
	detail: string;
}

export class Results {
	readonly list: Result[] = [];
	readonly t0 = Date.now();

	/** `detailBelow`: the detail goes on indented lines under PASS (multi-line reports) instead of after it. */
	constructor(private readonly o: { detailBelow?: boolean } = {}) {}

	/** Runs one scenario: its returned string is the detail of PASS, what it throws the detail of FAIL. */
	async scenario(name: string, fn: () => Promise<string>, target?: string): Promise<void> {
		const start = Date.now();
		const where = target ? `${target}  ${name}` : name;
		try {
			const detail = await fn();
			this.list.push({ ...(target ? { target } : {}), name, ok: true, seconds: (Date.now() - start) / 1000, detail });
			log(this.o.detailBelow ? `  PASS  ${where}  (${secs(start)})\n${indent(detail)}` : `  PASS  ${where}  (${secs(start)})  ${detail}`);
		} catch (e) {
			const detail = (e as Error).message;
			this.list.push({ ...(target ? { target } : {}), name, ok: false, seconds: (Date.now() - start) / 1000, detail });
			log(`  FAIL  ${where}  (${secs(start)})\n${indent(detail)}`);
		}
	}

	/** A failure outside a scenario (install, setup): `detail` recorded, `o.print` (a stack, say; default the detail) printed. */
	fail(name: string, detail: string, o: { target?: string; heading?: string; print?: string } = {}): void {
		this.list.push({ ...(o.target ? { target: o.target } : {}), name, ok: false, seconds: 0, detail });
		log(`  FAIL  ${o.target ? `${o.target}  ` : ''}${o.heading ?? name}\n${indent(o.print ?? detail)}`);
	}

	get failed(): Result[] {
		return this.list.filter((r) => !r.ok);
	}

	/** The summary line, `file` with every result (and `extra`), and the exit code. */
	finish(title: string, file: string, extra: Record<string, unknown> = {}): void {
		const failed = this.failed;
		log(`\n${title}: ${this.list.length - failed.length} passed, ${failed.length} failed, total ${secs(this.t0)}`);
		for (const f of failed) log(`  failed: ${f.target ? `${f.target} ` : ''}${f.name}`);
		writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), seconds: (Date.now() - this.t0) / 1000, ...extra, results: this.list }, null, 2));
		process.exitCode = failed.length ? 1 : 0;
	}
}

/** Runs a suite's main(): a crash prints its stack and exits 1. */
export function runMain(main: () => Promise<void>): void {
	main().catch((e) => {
		console.error((e as Error).stack ?? e);
		process.exit(1);
	});
}
