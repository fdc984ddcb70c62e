// Fault injection: from the submitted image URL (`?emu=fail,poll503&emu_ms=1500`) or from setFault(match, spec).
import type { FaultSpec, ListError, PollError, SubmitError } from './types';

/** Query-string fault words → FaultSpec fragments. `noResultsN`, `outputsN` carry a number. */
const WORDS: Record<string, (s: FaultSpec) => void> = {
	fail: (s) => (s.fail = true),
	stuck: (s) => (s.stuck = true),
	poll429: (s) => push(s, 'pollErrors', 429),
	poll500: (s) => push(s, 'pollErrors', 500),
	poll502: (s) => push(s, 'pollErrors', 502),
	poll503: (s) => push(s, 'pollErrors', 503),
	pollHtml: (s) => push(s, 'pollErrors', 'html'),
	invalidJson: (s) => push(s, 'pollErrors', 'invalidJson'),
	pollReset: (s) => push(s, 'pollErrors', 'reset'),
	submit429: (s) => push(s, 'submitErrors', 429),
	submit500: (s) => push(s, 'submitErrors', 'ambiguous500'),
	submitReset: (s) => push(s, 'submitErrors', 'ambiguousReset'),
	submitSlow: (s) => push(s, 'submitErrors', 'ambiguousSlow'),
	list500: (s) => push(s, 'listErrors', 500),
	list502: (s) => push(s, 'listErrors', 502),
	list503: (s) => push(s, 'listErrors', 503),
	listNoOutput: (s) => (s.listNoOutput = true),
	noResults: (s) => (s.noResultsPolls = 2),
	expired: (s) => (s.expired = true),
	providerCancel: (s) => (s.endAs = 'canceled'),
	providerTimeout: (s) => (s.endAs = 'timeout'),
	paramsBody: (s) => (s.paramsBody = true),
	unreadableImage: (s) => (s.unreadableImage = true),
};

type Listed = 'pollErrors' | 'submitErrors' | 'listErrors';

function push<K extends Listed>(s: FaultSpec, key: K, v: K extends 'pollErrors' ? PollError : K extends 'listErrors' ? ListError : SubmitError): void {
	const list = (s[key] ?? []) as Array<typeof v>;
	list.push(v);
	(s as Record<string, unknown>)[key] = list;
}

/** Parse `emu`, `emu_ms`, `emu_bytes`, `emu_slow_ms`, `emu_fail` from a URL's query. Unknown words throw (a test typo). */
export function faultsFromUrl(raw: string | undefined): FaultSpec {
	const spec: FaultSpec = {};
	if (!raw) return spec;
	let u: URL;
	try {
		u = new URL(raw);
	} catch {
		return spec;
	}
	const words = u.searchParams.getAll('emu').flatMap((v) => v.split(',')).map((w) => w.trim()).filter(Boolean);
	for (const w of words) {
		const counted = /^(noResults|outputs)(\d+)$/.exec(w);
		if (counted) {
			if (counted[1] === 'noResults') spec.noResultsPolls = Number(counted[2]);
			else spec.outputs = Number(counted[2]);
			continue;
		}
		const apply = WORDS[w];
		if (!apply) throw new Error(`unknown emulator fault word "${w}"`);
		apply(spec);
	}
	const num = (k: string): number | undefined => {
		const v = u.searchParams.get(k);
		return v !== null && v !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined;
	};
	if (num('emu_ms') !== undefined) spec.jobMs = num('emu_ms');
	if (num('emu_bytes') !== undefined) spec.outputBytes = num('emu_bytes');
	if (num('emu_slow_ms') !== undefined) spec.slowMs = num('emu_slow_ms');
	const failMsg = u.searchParams.get('emu_fail');
	if (failMsg) spec.fail = failMsg;
	return spec;
}

export function mergeFaults(...specs: FaultSpec[]): FaultSpec {
	const out: FaultSpec = {};
	for (const s of specs) {
		for (const [k, v] of Object.entries(s) as Array<[keyof FaultSpec, unknown]>) {
			if (v === undefined) continue;
			if ((k === 'pollErrors' || k === 'submitErrors' || k === 'listErrors') && Array.isArray(v)) {
				(out as Record<string, unknown>)[k] = [...((out[k] as unknown[]) ?? []), ...v];
			} else (out as Record<string, unknown>)[k] = v;
		}
	}
	return out;
}

interface Registered {
	match: string;
	spec: FaultSpec;
	submitErrorsUsed: number;
}

/** Registry of setFault() entries plus the consumption state of submit errors per fault source. */
export class FaultRegistry {
	private registered: Registered[] = [];
	/** Consumed submitErrors per `${provider}|${imageUrl}` for query-string faults. */
	private urlSubmitUsed = new Map<string, number>();

	set(match: string, spec: FaultSpec): void {
		this.registered = this.registered.filter((r) => r.match !== match);
		this.registered.push({ match, spec: { ...spec }, submitErrorsUsed: 0 });
	}

	clear(): void {
		this.registered = [];
		this.urlSubmitUsed.clear();
	}

	/** The effective faults for a submit with this image URL. */
	resolve(imageUrl: string | undefined): FaultSpec {
		const fromUrl = faultsFromUrl(imageUrl);
		const fromSet = this.matching(imageUrl).map((r) => r.spec);
		const merged = mergeFaults(fromUrl, ...fromSet);
		delete merged.submitErrors; // submit errors are consumed, see nextSubmitError
		return merged;
	}

	/** Consume the next submit error for this image URL (setFault entries first, then the URL's own). */
	nextSubmitError(provider: string, imageUrl: string | undefined): { error?: SubmitError; slowMs?: number } {
		for (const r of this.matching(imageUrl)) {
			const list = r.spec.submitErrors ?? [];
			if (r.submitErrorsUsed < list.length) return { error: list[r.submitErrorsUsed++], slowMs: r.spec.slowMs };
		}
		const fromUrl = faultsFromUrl(imageUrl);
		const list = fromUrl.submitErrors ?? [];
		const key = `${provider}|${imageUrl ?? ''}`;
		const used = this.urlSubmitUsed.get(key) ?? 0;
		if (used < list.length) {
			this.urlSubmitUsed.set(key, used + 1);
			return { error: list[used], slowMs: fromUrl.slowMs };
		}
		return {};
	}

	private matching(imageUrl: string | undefined): Registered[] {
		if (imageUrl === undefined) return [];
		return this.registered.filter((r) => imageUrl.includes(r.match));
	}
}
