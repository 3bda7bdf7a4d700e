import { loadLabelsFile } from '@prodclass/catalog/feedback/labels-file';
import { writeJson } from '../options.js';
import { withMigratedDatabase } from '../services.js';

export async function loadLabels(file: string, labeledBy: string): Promise<void> {
  const result = await withMigratedDatabase((client) => loadLabelsFile(client, file, labeledBy));
  writeJson({ file, ...result });
}
