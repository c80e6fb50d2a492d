// The demo's people: names and mobile numbers, and where each order's citizen comes from.
import { sealCitizen, type SealedCitizen } from '../privacy/index.js';
import { Rng } from '../core/random.js';
import { mix } from './plan.js';
import * as T from './taxonomy.js';

/** A Chinese name: a surname and a given name. */
export const personName = (rng: Rng) => rng.pick(T.SURNAMES) + rng.pick(T.GIVEN);

/** A mainland mobile number (11 digits). */
export const mobilePhone = (rng: Rng) => `1${rng.pick(['3', '5', '7', '8', '9'])}${String(rng.int(0, 999999999)).padStart(9, '0')}`;

export interface Citizen {
  name: string;
  phone: string;
  /** Its stored columns (sealCitizen), computed once: AES-GCM per value dominates bulk loads. */
  sealed: SealedCitizen;
}
/** Distinct citizens of a benchmark-scale load (--orders). */
export const CITIZEN_POOL = 200_000;

/**
 * The citizen of each order: a new one per order in the demo city; benchmark-scale loads (no
 * contacts, `poolSize` > 0) draw from a pool, as real callers repeat, so that each distinct
 * citizen is encrypted once (per thread). A pooled citizen is drawn from its own index.
 */
export function citizenSource(seed: number, poolSize: number): (rng: Rng) => Citizen {
  const newCitizen = (rng: Rng): Citizen => {
    const name = personName(rng);
    const phone = mobilePhone(rng);
    return { name, phone, sealed: sealCitizen({ name, phone }) };
  };
  const pool: Citizen[] = [];
  return (rng) => {
    if (!poolSize) return newCitizen(rng);
    const i = rng.int(0, poolSize - 1);
    return (pool[i] ??= newCitizen(new Rng(mix(seed, i))));
  };
}
