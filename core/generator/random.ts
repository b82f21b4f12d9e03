/**
 * Seeded randomness for the synthetic state. Every person draws from a generator seeded by
 * (run seed, person index), so a person's life does not depend on who was generated before them:
 * the same seed gives the same bytes, and any person can be recomputed on its own.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** A 32-bit hash of a few integers (murmur3 finalizer), for seeds and stateless draws. */
export function mix(...values: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const value of values) {
    h = Math.imul(h ^ (value | 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** A uniform draw in [0, 1) that depends only on its inputs. */
export function hashUnit(...values: readonly number[]): number {
  return mix(...values) / 4294967296;
}

export class Rng {
  private readonly source;

  constructor(seed: number) {
    this.source = xoroshiro128plus(seed | 0);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return (this.source.next() >>> 0) / 4294967296;
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)] as T;
  }

  /** Standard normal draw (Box–Muller). */
  normal(): number {
    const u = 1 - this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }
}

/** Draws items in proportion to their weights, in O(log n) per draw. */
export class WeightedSampler<T> {
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(private readonly items: readonly T[], weights: readonly number[]) {
    if (items.length === 0 || items.length !== weights.length) throw new Error('WeightedSampler needs one weight per item');
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    weights.forEach((w, i) => (this.cumulative[i] = sum += Math.max(0, w)));
    if (sum <= 0) throw new Error('WeightedSampler needs a positive total weight');
    this.total = sum;
  }

  draw(rng: Rng): T {
    return this.at(rng.float());
  }

  /** The item at a uniform position u in [0, 1). */
  at(u: number): T {
    const target = u * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cumulative[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo] as T;
  }
}

/**
 * A bijection of [0, size) for issuing unique identifiers that look random: an affine map with a
 * multiplier coprime to the size, so index i always gets the same, unique number for a seed.
 */
export class Permutation {
  private readonly multiplier: number;
  private readonly offset: number;

  constructor(private readonly size: number, seed: number) {
    let multiplier = (mix(seed, 1) % (size - 1)) + 1;
    while (gcd(multiplier, size) !== 1) multiplier++;
    this.multiplier = multiplier;
    this.offset = mix(seed, 2) % size;
  }

  apply(index: number): number {
    if (index < 0 || index >= this.size) throw new Error(`index ${index} outside permutation of ${this.size}`);
    // BigInt keeps the product exact for sizes up to 10^10.
    return Number((BigInt(index) * BigInt(this.multiplier) + BigInt(this.offset)) % BigInt(this.size));
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
