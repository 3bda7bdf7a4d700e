/** A source file the importer refuses, with the place and the reason, on one line. */
export class CatalogFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'CatalogFileError';
  }
}
