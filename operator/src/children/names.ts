import { createHash } from 'node:crypto';
import { labels, managedBy } from '@prodclass/kube/labels';

/**
 * `<owner>-<suffix>`, kept within 63 characters (Job and Service names end up in labels and DNS):
 * a long owner name is cut and made unique again with a hash of the whole name.
 */
export function childName(owner: string, suffix: string): string {
  const name = `${owner}-${suffix}`;
  if (name.length <= 63) return name;
  const hash = createHash('sha256').update(owner).digest('hex').slice(0, 8);
  return `${owner.slice(0, 63 - suffix.length - hash.length - 2).replace(/[-.]+$/, '')}-${hash}-${suffix}`;
}

export function managedLabels(
  component: 'data-load' | 'training' | 'impact-preview' | 'model-server',
  instance: string,
) {
  return {
    [labels.managedBy]: managedBy,
    [labels.partOf]: 'prodclass',
    [labels.component]: component,
    [labels.instance]: instance,
  };
}
