/** One product of the catalog, as the official files and the synthetic generator provide it. */
export interface CatalogRow {
  productid: number;
  imageid: number;
  designation: string;
  /** NULL (never the empty string, never "NaN") when the product has no description. */
  description: string | null;
  prdtypecode: number;
}
