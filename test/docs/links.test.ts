import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';

// Every relative link of README.md and docs/*.md names a file that exists and, with a #fragment
// into a Markdown file, a heading of that file (GitHub's anchors).
const repository = path.resolve(import.meta.dirname, '../..');
const documents = [
  'README.md',
  ...readdirSync(path.join(repository, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

function withoutCodeBlocks(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '');
}

/** The anchors GitHub gives a file's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const [, heading] of withoutCodeBlocks(markdown).matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = (heading ?? '')
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    result.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return result;
}

function relativeLinks(markdown: string): string[] {
  return [...withoutCodeBlocks(markdown).matchAll(/\]\(([^)\s]+)\)/g)]
    .map(([, target]) => target ?? '')
    .filter((target) => !/^[a-z]+:/i.test(target));
}

test.each(documents)('every relative link of %s exists', (document) => {
  const markdown = readFileSync(path.join(repository, document), 'utf8');
  const broken: string[] = [];
  for (const link of relativeLinks(markdown)) {
    const [file = '', fragment] = link.split('#');
    const target =
      file === ''
        ? path.join(repository, document)
        : path.resolve(path.dirname(path.join(repository, document)), file);
    if (!existsSync(target)) {
      broken.push(`${link}: no such file`);
    } else if (
      fragment !== undefined &&
      target.endsWith('.md') &&
      !anchors(readFileSync(target, 'utf8')).has(fragment)
    ) {
      broken.push(`${link}: no such heading`);
    }
  }
  expect(broken).toEqual([]);
});
