import { expect, test } from 'vitest';
import { formatModelUri, parseModelUri } from './model-uri.js';

test('MODEL_URI forms: alias, version, bundle path; other models:/ shapes are rejected', () => {
  expect(parseModelUri('models:/rakuten_classifier@production')).toEqual({
    kind: 'alias',
    name: 'rakuten_classifier',
    alias: 'production',
  });
  expect(parseModelUri('models:/rakuten_classifier/3')).toEqual({
    kind: 'version',
    name: 'rakuten_classifier',
    version: '3',
  });
  expect(parseModelUri('./model.bundle')).toEqual({ kind: 'file', path: './model.bundle' });
  for (const invalid of ['models:/x', 'models:/x/0', 'models:/x@', 'models:/x/3/y', 'models:/@a']) {
    expect(parseModelUri(invalid)).toBeUndefined();
  }
  for (const uri of ['models:/m@champion', 'models:/m/12', '/a/b.bundle']) {
    expect(formatModelUri(parseModelUri(uri) as never)).toBe(uri);
  }
});
