// Cost estimates from the one price table, with each provider's billing rules.
import { billedSeconds, estimateCost, maxCost, PRICE_TABLE, renderPriceTableMarkdown } from '../../nodes/KlingMotionControl/preflight/pricing';
import type { ProviderId } from '../../nodes/KlingMotionControl/providers/types';

const ALL: ProviderId[] = ['aiHubMax', 'evoLink', 'fal', 'kie', 'kling', 'novita', 'oxen', 'prospolabs', 'replicate', 'waveSpeed'];

describe('estimateCost', () => {
	test.each([
		// provider, quality, seconds, published rate, expected cost
		['waveSpeed', 'pro', 5, 0.168, 0.84], // WaveSpeed's own table: 5 s $0.84
		['waveSpeed', 'pro', 10, 0.168, 1.68],
		['waveSpeed', 'standard', 5, 0.126, 0.63],
		['evoLink', 'standard', 5, 0.1134, 0.567],
		['evoLink', 'pro', 10, 0.1512, 1.512],
		['fal', 'standard', 5, 0.126, 0.63],
		['fal', 'pro', 5, 0.168, 0.84],
		['kling', 'standard', 5, 0.126, 0.63],
		['kling', 'pro', 5, 0.168, 0.84],
		['prospolabs', 'standard', 5, 0.076, 0.38],
		['prospolabs', 'pro', 5, 0.1, 0.5],
		['replicate', 'standard', 5, 0.07, 0.35],
		['replicate', 'pro', 5, 0.12, 0.6],
		['aiHubMax', 'standard', 5, 0.10288, 0.5144],
		['aiHubMax', 'pro', 5, 0.13712, 0.6856],
	] as const)('%s %s %d s at $%d/s = $%d', (provider, quality, seconds, rate, cost) => {
		expect(estimateCost(provider, quality, 'image', seconds)).toMatchObject({ estimatedCostUsd: cost, billedSeconds: seconds, ratePerSecondUsd: rate });
	});

	test('billing rules: minimum 3 s, every started second, capped per orientation', () => {
		expect(estimateCost('waveSpeed', 'pro', 'image', 2)).toMatchObject({ billedSeconds: 3, estimatedCostUsd: 0.504 }); // WaveSpeed: ≤3 s $0.504
		expect(estimateCost('waveSpeed', 'pro', 'video', 30)).toMatchObject({ billedSeconds: 30, estimatedCostUsd: 5.04 }); // 30 s (max) $5.04
		expect(estimateCost('evoLink', 'standard', 'video', 7.2)).toMatchObject({ billedSeconds: 8 });
		expect(estimateCost('evoLink', 'standard', 'image', 45.2)).toMatchObject({ billedSeconds: 10 });
		expect(estimateCost('evoLink', 'standard', 'video', 45.2)).toMatchObject({ billedSeconds: 30 });
		// Header durations are exact to the millisecond: 5.000 s is 5 billed seconds.
		expect(estimateCost('fal', 'pro', 'image', 5000 / 1000)).toMatchObject({ billedSeconds: 5 });
		expect(estimateCost('fal', 'pro', 'image', 5.0004)).toMatchObject({ billedSeconds: 5 });
		expect(estimateCost('fal', 'pro', 'image', 5.001)).toMatchObject({ billedSeconds: 6 });
		expect(billedSeconds({ ...PRICE_TABLE.evoLink.billing, rounding: 'nearest' }, 'video', 7.4)).toBe(7);
	});

	test('the result says which rule and which source it used', () => {
		expect(estimateCost('prospolabs', 'pro', 'image', 5.2)).toEqual({
			estimatedCostUsd: 0.6,
			billedSeconds: 6,
			ratePerSecondUsd: 0.1,
			rule: '5.2 s → 6 s billed (every started second, minimum 3 s, at most 10 s with orientation image)',
			source: 'https://prospolabs.com/models/kling/kling-3-motion-control (2026-11-21)',
			inferred: true,
		});
		expect(estimateCost('evoLink', 'pro', 'image', 5)).toMatchObject({ inferred: false });
	});

	test('no estimate: unpublished price, Oxen standard, unknown length', () => {
		expect(estimateCost('oxen', 'pro', 'image', 5)).toEqual({ estimatedCostUsd: null, reason: expect.stringContaining('Oxen.ai publishes no pro price') });
		expect(estimateCost('oxen', 'standard', 'image', 5)).toMatchObject({ estimatedCostUsd: null, reason: expect.stringContaining('only the Pro model') });
		expect(estimateCost('fal', 'pro', 'image', undefined)).toMatchObject({ estimatedCostUsd: null, reason: expect.stringContaining('could not be probed') });
	});

	test('maxCost bounds an unprobed clip by the orientation cap', () => {
		expect(maxCost('fal', 'pro', 'image')).toMatchObject({ billedSeconds: 10, estimatedCostUsd: 1.68 });
		expect(maxCost('fal', 'pro', 'video')).toMatchObject({ billedSeconds: 30, estimatedCostUsd: 5.04 });
	});
});

describe('prices.json', () => {
	test('every provider and quality has a rate or null, a source and a date', () => {
		expect(Object.keys(PRICE_TABLE).sort()).toEqual(ALL);
		for (const id of ALL) {
			const { prices, billing } = PRICE_TABLE[id];
			for (const q of ['standard', 'pro'] as const) {
				const p = prices[q];
				expect(p.usdPerSecond === null || (typeof p.usdPerSecond === 'number' && p.usdPerSecond > 0)).toBe(true);
				expect(p.source).toMatch(/^https:\/\//);
				expect(p.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
				expect(typeof p.inferred).toBe('boolean');
			}
			expect(['ceil', 'nearest']).toContain(billing.rounding);
			expect(billing.maxBilledSeconds).toEqual({ image: 10, video: 30 });
			expect(billing.minBilledSeconds).toBe(3);
		}
	});

	test('renders as a Markdown table for the README', () => {
		const md = renderPriceTableMarkdown();
		const lines = md.split('\n');
		expect(lines[0]).toBe('| Provider | Standard (USD/s) | Pro (USD/s) | Billing | As of |');
		expect(lines.filter((l) => l.startsWith('| ') && l.includes('(`'))).toHaveLength(10);
		expect(md).toContain('| WaveSpeedAI (`waveSpeed`) | [$0.126](https://wavespeed.ai/models/kwaivgi/kling-v3.0-std/motion-control) [I] | [$0.168](https://wavespeed.ai/models/kwaivgi/kling-v3.0-pro/motion-control) |');
		expect(md).toContain('| Oxen.ai (`oxen`) | not published | not published |');
		expect(md).toContain('| Kie.ai (`kie`) | not published | not published |');
		expect(md).toContain('| Novita AI (`novita`) | not published | not published |');
		expect(md).toContain('rounded up');
	});
});
