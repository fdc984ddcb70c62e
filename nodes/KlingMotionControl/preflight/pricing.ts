// Cost estimates from the one price table (prices.json), applying each provider's billing rules.
// The table is data, not code, so a price change is one edit and the README renders the same figures.
import type { Orientation, Quality } from '../providers/types';
import table from './prices.json';

export interface PriceEntry {
	/** null = not published. */
	usdPerSecond: number | null;
	inferred: boolean;
	source: string;
	asOf: string;
	note: string;
}

export interface BillingRules {
	minBilledSeconds: number;
	/** 'ceil': every started second is billed; 'nearest': rounded half up. */
	rounding: 'ceil' | 'nearest';
	/** Output (hence billing) is the reference clip's length capped per orientation. */
	maxBilledSeconds: Record<Orientation, number>;
	inferred: boolean;
	source: string;
	asOf: string;
	note: string;
}

export interface ProviderPricing {
	name: string;
	prices: Record<Quality, PriceEntry>;
	billing: BillingRules;
}

export const PRICE_TABLE = (table as unknown as { providers: Record<string, ProviderPricing> }).providers;

export type CostEstimate =
	| {
			estimatedCostUsd: number;
			billedSeconds: number;
			ratePerSecondUsd: number;
			/** e.g. "5.2 s → 6 s billed (every started second, minimum 3 s, at most 10 s with orientation image)". */
			rule: string;
			/** Price source URL and date. */
			source: string;
			/** The rate or a billing rule is [I] (not on the provider's own page). */
			inferred: boolean;
	  }
	| { estimatedCostUsd: null; reason: string };

function trim(n: number, digits: number): number {
	const f = 10 ** digits;
	return Math.round(n * f) / f;
}

/** Seconds the provider bills for a clip: capped, rounded, then raised to the minimum. */
export function billedSeconds(rules: BillingRules, orientation: Orientation, durationSeconds: number): number {
	const capped = Math.min(durationSeconds, rules.maxBilledSeconds[orientation]);
	// A millisecond of slack: 5000/1000 s from a header must not become 6 billed seconds.
	const rounded = rules.rounding === 'ceil' ? Math.ceil(trim(capped, 3) - 1e-9) : Math.round(capped);
	return Math.max(rules.minBilledSeconds, rounded);
}

function describeRule(rules: BillingRules, orientation: Orientation, duration: number, billed: number): string {
	const rounding = rules.rounding === 'ceil' ? 'every started second' : 'rounded to the nearest second';
	const cap = rules.maxBilledSeconds[orientation];
	return `${trim(duration, 3)} s → ${billed} s billed (${rounding}, minimum ${rules.minBilledSeconds} s, at most ${cap} s with orientation ${orientation})`;
}

/** The estimated cost of one task, or why none can be given (unpublished price, unknown length). */
export function estimateCost(priceKey: string, quality: Quality, orientation: Orientation, durationSeconds: number | undefined): CostEstimate {
	const pricing = PRICE_TABLE[priceKey];
	if (!pricing) return { estimatedCostUsd: null, reason: `no price table for provider "${priceKey}"` };
	const price = pricing.prices[quality];
	if (price.usdPerSecond === null) return { estimatedCostUsd: null, reason: `${pricing.name} publishes no ${quality} price (${price.note})` };
	if (durationSeconds === undefined || !Number.isFinite(durationSeconds) || durationSeconds < 0) {
		return { estimatedCostUsd: null, reason: 'the motion video could not be probed, so its length is unknown' };
	}
	const billed = billedSeconds(pricing.billing, orientation, durationSeconds);
	return {
		estimatedCostUsd: trim(billed * price.usdPerSecond, 6),
		billedSeconds: billed,
		ratePerSecondUsd: price.usdPerSecond,
		rule: describeRule(pricing.billing, orientation, durationSeconds, billed),
		source: `${price.source} (${price.asOf})`,
		inferred: price.inferred || pricing.billing.inferred,
	};
}

/** The most one task can cost (a clip at the orientation's cap): a bound for clips that could not be probed. */
export function maxCost(priceKey: string, quality: Quality, orientation: Orientation): CostEstimate {
	const pricing = PRICE_TABLE[priceKey];
	return estimateCost(priceKey, quality, orientation, pricing?.billing.maxBilledSeconds[orientation]);
}

function priceCell(p: PriceEntry): string {
	if (p.usdPerSecond === null) return 'not published';
	return `[$${p.usdPerSecond}](${p.source})${p.inferred ? ' [I]' : ''}`;
}

function billingCell(b: BillingRules): string {
	const rounding = b.rounding === 'ceil' ? 'rounded up' : 'rounded to nearest';
	return `min ${b.minBilledSeconds} s, ${rounding}, ≤ ${b.maxBilledSeconds.image} s (image) / ${b.maxBilledSeconds.video} s (video)${b.inferred ? ' [I]' : ''}`;
}

/** The price table as Markdown for the README: one row per provider, then the notes behind each figure. */
export function renderPriceTableMarkdown(): string {
	const ids = Object.keys(PRICE_TABLE).sort();
	const rows = ids.map((id) => {
		const p = PRICE_TABLE[id];
		const asOf = [...new Set([p.prices.standard.asOf, p.prices.pro.asOf])].join(', ');
		return `| ${p.name} (\`${id}\`) | ${priceCell(p.prices.standard)} | ${priceCell(p.prices.pro)} | ${billingCell(p.billing)} | ${asOf} |`;
	});
	const notes = ids.flatMap((id) => {
		const p = PRICE_TABLE[id];
		const parts = [
			p.prices.standard.note && `standard: ${p.prices.standard.note}`,
			p.prices.pro.note && `pro: ${p.prices.pro.note}`,
			p.billing.note && `billing: ${p.billing.note}`,
		].filter(Boolean);
		return parts.length ? [`- **${p.name}**: ${parts.join('; ')}.`] : [];
	});
	return [
		'| Provider | Standard (USD/s) | Pro (USD/s) | Billing | As of |',
		'|---|---|---|---|---|',
		...rows,
		'',
		'[I] = inferred, not read on the provider\'s own page. Estimates use the higher reading where a rule is unclear.',
		'',
		...notes,
	].join('\n');
}
