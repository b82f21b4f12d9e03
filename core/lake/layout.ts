/** Where things live in the lake (DESIGN.md §2): keys inside each zone. */
export function landingKey(partner: string, dataset: string, fileName: string): string {
  return `${partnerFolder(partner)}${dataset}/${fileName}`;
}

/** A partner's own folder: in `landing`, where it drops its files, and in `quarantine`, where its rejected drops go. */
export function partnerFolder(partner: string): string {
  return `${partner}/`;
}

/** Where a partner's accepted drops of a dataset go in `raw`, each with its reports: `<dataset>/partner=<p>/`. */
export function rawPartnerFolder(dataset: string, partner: string): string {
  return `${dataset}/partner=${partner}/`;
}

/** How the names of a validation report's two files end, beside the file or Parquet they are about: JSON, and the plain-text summary. */
export const REPORT_SUFFIXES = { json: '.report.json', text: '.report.txt' } as const;
