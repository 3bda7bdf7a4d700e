import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { repoRoot } from '../../stack/paths.js';
import { chartDir, helmOk, parseManifests } from './support/commands.js';

// crds/ and manifests/rbac/ are the sources; the chart and the kustomize base hold copies because
// Helm installs only files inside the chart and kustomize loads only files below its directory.
const copies = [
  { source: 'crds', copy: 'charts/prodclass/crds' },
  { source: 'crds', copy: 'manifests/base/crds' },
  { source: 'manifests/rbac', copy: 'manifests/base/rbac' },
];
const fix = 'run scripts/sync-manifest-copies.sh';
const manifestsIn = (dir: string) =>
  fs
    .readdirSync(path.join(repoRoot, dir))
    .flatMap((file) => parseManifests(fs.readFileSync(path.join(repoRoot, dir, file), 'utf8')));

test.each(copies)('$copy holds byte-for-byte copies of $source', ({ source, copy }) => {
  const names = (dir: string) => fs.readdirSync(path.join(repoRoot, dir)).sort();
  expect(names(copy), `${copy} lists other files than ${source}: ${fix}`).toEqual(names(source));
  for (const name of names(source)) {
    const original = fs.readFileSync(path.join(repoRoot, source, name));
    const copied = fs.readFileSync(path.join(repoRoot, copy, name));
    expect(copied.equals(original), `${copy}/${name} differs from ${source}/${name}: ${fix}`).toBe(true);
  }
});

test("the chart's RBAC grants exactly the rules of manifests/rbac", async () => {
  // Release prodclass in prodclass-system gives the names manifests/rbac uses.
  const rendered = parseManifests(
    await helmOk('template', 'prodclass', chartDir, '--namespace', 'prodclass-system'),
  );
  // With approval enabled (the default) the chart also holds the approver ClusterRole.
  const reference = [
    ...manifestsIn('manifests/rbac'),
    ...manifestsIn('manifests/approval').filter((object) => object.kind === 'ClusterRole'),
  ];
  const rbacKinds = ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'];
  const essentials = (objects: typeof rendered) =>
    objects
      .filter((object) => rbacKinds.includes(object.kind))
      .map(({ kind, metadata, rules, roleRef, subjects }) => ({
        kind,
        name: metadata.name,
        rules,
        roleRef,
        subjects: (subjects as { namespace?: string }[] | undefined)?.map((subject) => ({
          ...subject,
          namespace: subject.namespace ?? 'prodclass-system',
        })),
      }))
      .sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));
  expect(essentials(rendered)).toEqual(essentials(reference));
});

test("the chart's approval policy, binding and role are those of manifests/approval", async () => {
  const approval = (objects: ReturnType<typeof parseManifests>) =>
    objects
      .filter((object) => object.metadata.labels?.['app.kubernetes.io/component'] === 'approval')
      .map(({ kind, metadata, spec, rules }) => ({ kind, name: metadata.name, spec, rules }))
      .sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));
  const rendered = parseManifests(
    await helmOk('template', 'prodclass', chartDir, '--namespace', 'prodclass-system'),
  );
  const reference = approval(manifestsIn('manifests/approval'));
  expect(reference.map((object) => object.kind)).toEqual([
    'ClusterRole',
    'ValidatingAdmissionPolicy',
    'ValidatingAdmissionPolicyBinding',
  ]);
  expect(approval(rendered)).toEqual(reference);
  const disabled = parseManifests(
    await helmOk('template', 'prodclass', chartDir, '--set', 'approval.enabled=false'),
  );
  expect(approval(disabled)).toEqual([]);
});
