/**
 * The project's one source of randomness: small seeded generators passed in explicitly (never the unseeded global one),
 * so every random panel, tree and run is reproducible from its seed.
 */

/** A uniform [0, 1) generator. */
export type Rng = () => number;

/** A generator whose whole state is one 32-bit number, so a checkpointed run can carry on exactly. */
export interface StatefulRng extends Rng {
  /** The state now: `mulberry32(rng.state())` continues with the same numbers. */
  state(): number;
}

/** mulberry32: a tiny 32-bit PRNG, fully determined by its seed (or a saved state). */
export function mulberry32(seed: number): StatefulRng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Object.assign(next, { state: () => a });
}

/** Integer in [lo, hi] inclusive. */
export function randInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}
