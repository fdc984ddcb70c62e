/** Pure parts of the waiting engine. */
import { nextDelay } from '../../nodes/KlingMotionControl/engine/polling';

const state = (extra: object) => ({ status: 'processing' as const, videoUrls: [], raw: null, ...extra });

it('polls at the interval without hints', () => {
	expect(nextDelay(10_000, state({}), 5_000)).toBe(10_000);
});

it("stretches the wait while EvoLink's estimate says the task is far from done, at most 4×", () => {
	expect(nextDelay(10_000, state({ estimatedSeconds: 180 }), 2_000)).toBe(40_000);
	expect(nextDelay(10_000, state({ estimatedSeconds: 30 }), 2_000)).toBeCloseTo(22_400);
	expect(nextDelay(10_000, state({ estimatedSeconds: 30 }), 29_000)).toBe(10_000);
});

it('waits longer deep in a queue', () => {
	expect(nextDelay(10_000, state({ queuePosition: 20 }), 0)).toBe(30_000);
	expect(nextDelay(10_000, state({ queuePosition: 2 }), 0)).toBe(10_000);
});
