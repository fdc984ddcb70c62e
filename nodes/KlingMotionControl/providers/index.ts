import { aiHubMax } from './aiHubMax';
import { evoLink } from './evoLink';
import { fal } from './fal';
import { kie } from './kie';
import { kling } from './kling';
import { novita } from './novita';
import { oxen } from './oxen';
import { prospolabs } from './prospolabs';
import { replicate } from './replicate';
import type { MediaKind, ProviderAdapter, UploadLimits } from './types';
import { waveSpeed } from './waveSpeed';

/**
 * The registry: provider value (`authentication`) → adapter. Adding a provider is its adapter, its
 * credential, its emulator module, one line here and one row in prices.json.
 */
export const PROVIDERS = {
	aiHubMax,
	evoLink,
	fal,
	kie,
	kling,
	novita,
	oxen,
	prospolabs,
	replicate,
	waveSpeed,
} satisfies Record<string, ProviderAdapter>;

/**
 * The provider of a node that never set one (saved workflows rely on it: never change it). A
 * single-provider package (npm run build:packages) has only its own provider, which is then the default.
 */
const FIRST_DEFAULT = 'waveSpeed';
export const DEFAULT_PROVIDER = (FIRST_DEFAULT in PROVIDERS ? FIRST_DEFAULT : Object.keys(PROVIDERS)[0]) as keyof typeof PROVIDERS;

export const ADAPTERS: readonly ProviderAdapter[] = Object.values(PROVIDERS);

export function getProvider(id: string): ProviderAdapter | undefined {
	return Object.prototype.hasOwnProperty.call(PROVIDERS, id) ? (PROVIDERS as Record<string, ProviderAdapter>)[id] : undefined;
}

function byName(a: ProviderAdapter, b: ProviderAdapter): number {
	return a.displayName.localeCompare(b.displayName, 'en', { sensitivity: 'base' });
}

/** The providers that can do something, sorted by name. */
export function providersThat(can: (adapter: ProviderAdapter) => boolean): ProviderAdapter[] {
	return ADAPTERS.filter(can).sort(byName);
}

/** "EvoLink, fal.ai, Kling AI (official API)": for hints and error messages. */
export function providerNames(can: (adapter: ProviderAdapter) => boolean): string {
	return providersThat(can)
		.map((adapter) => adapter.displayName)
		.join(', ');
}

/** The `authentication` values of the providers that can do something (for displayOptions). */
export function providerIds(can: (adapter: ProviderAdapter) => boolean): string[] {
	return providersThat(can).map((adapter) => adapter.id);
}

/** What a provider's upload takes for one kind of file, its size limit merged from the adapter's limits. */
export function uploadLimits(adapter: ProviderAdapter, kind: MediaKind): Required<UploadLimits> | undefined {
	const upload = adapter.capabilities.upload?.[kind];
	if (!upload || !adapter.buildUpload) return undefined;
	const maxBytes = upload.maxBytes ?? adapter.limits[kind].maxBytes?.value;
	return maxBytes === undefined ? undefined : { mimeTypes: upload.mimeTypes, maxBytes };
}

export type * from './types';
