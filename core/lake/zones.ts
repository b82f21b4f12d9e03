/**
 * The data lake's zones (DESIGN.md §2). Each zone is its own bucket in AWS and its own folder
 * locally, with its own sensitivity. PII may live only in zones marked `restricted` that hold
 * source records (landing, raw, quarantine, identity).
 */
export type Sensitivity = 'restricted' | 'deidentified' | 'public';

export interface ZoneDefinition {
  /** Short, stable name: the folder name locally and part of the bucket name in AWS. */
  readonly name: ZoneName;
  readonly description: string;
  readonly sensitivity: Sensitivity;
  /** True where personally identifying values (names, birth dates, SSNs, source IDs) may be stored. */
  readonly mayHoldPii: boolean;
}

export const ZONE_NAMES = ['landing', 'raw', 'quarantine', 'identity', 'linked', 'outcomes', 'published'] as const;
export type ZoneName = (typeof ZONE_NAMES)[number];

export const ZONES: Readonly<Record<ZoneName, ZoneDefinition>> = {
  landing: { name: 'landing', sensitivity: 'restricted', mayHoldPii: true, description: 'Partner drops as delivered, one prefix per partner.' },
  raw: { name: 'raw', sensitivity: 'restricted', mayHoldPii: true, description: 'Validated drops converted to Parquet, with lineage columns.' },
  quarantine: { name: 'quarantine', sensitivity: 'restricted', mayHoldPii: true, description: 'Rejected drops, byte for byte, with their reports.' },
  identity: { name: 'identity', sensitivity: 'restricted', mayHoldPii: true, description: 'Person crosswalk: source record to c2c_id.' },
  linked: { name: 'linked', sensitivity: 'deidentified', mayHoldPii: false, description: 'De-identified person-level tables keyed by c2c_id.' },
  outcomes: { name: 'outcomes', sensitivity: 'restricted', mayHoldPii: false, description: 'Full, unsuppressed outcome cube.' },
  published: { name: 'published', sensitivity: 'public', mayHoldPii: false, description: 'Suppressed outcome cube that passed disclosure control.' },
};

/** The zone and key of a `<zone>/<key>` plan location, which must be in one of `zones`. */
export function objectAtLocation<Z extends ZoneName>(location: string, zones: readonly Z[]): { zone: Z; key: string } {
  const [zone, ...key] = location.split('/');
  if (!(zones as readonly string[]).includes(zone ?? '') || key.length === 0) throw new Error(`${location} is not a location in ${zones.join(' or ')}`);
  return { zone: zone as Z, key: key.join('/') };
}
