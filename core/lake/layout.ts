/** Where things live in the lake (DESIGN.md §2): keys inside each zone. */
export function landingKey(partner: string, dataset: string, fileName: string): string {
  return `${partner}/${dataset}/${fileName}`;
}
