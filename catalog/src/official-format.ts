/** File names and headers of the official Rakuten France training files. */
export const officialFiles = {
  products: 'X_train_update.csv',
  labels: 'Y_train_CVw08PX.csv',
} as const;

export const officialHeaders = {
  products: ['', 'designation', 'description', 'productid', 'imageid'],
  labels: ['', 'prdtypecode'],
} as const;
