import { aiHubMax } from './aiHubMax';
import { evoLink } from './evoLink';
import { fal } from './fal';
import { kling } from './kling';
import { oxen } from './oxen';
import { prospolabs } from './prospolabs';
import { replicate } from './replicate';
import type { ProviderAdapter, ProviderId } from './types';
import { waveSpeed } from './waveSpeed';

/** The registry: provider value → adapter. Adding a provider is one file and one line here. */
export const PROVIDERS: Record<ProviderId, ProviderAdapter> = {
	aiHubMax,
	evoLink,
	fal,
	kling,
	oxen,
	prospolabs,
	replicate,
	waveSpeed,
};

export function getProvider(id: string): ProviderAdapter | undefined {
	return (PROVIDERS as Record<string, ProviderAdapter>)[id];
}

export type * from './types';
