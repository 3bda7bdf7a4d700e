import { expect, test } from 'vitest';
import { classCodeOfMetric, classMetricKey, metricKey } from './metric-keys.js';

test('metric keys are spelled as MLflow stores them', () => {
  expect(metricKey('test', 'f1_weighted')).toBe('test_f1_weighted');
  expect(metricKey('train', 'accuracy')).toBe('train_accuracy');
  expect(classMetricKey('test', 'f1', 2583)).toBe('test_f1_class_2583');
});

test('a per-class key gives back its class code, only for its split and score', () => {
  expect(classCodeOfMetric(classMetricKey('test', 'f1', 10), 'test', 'f1')).toBe(10);
  expect(classCodeOfMetric('test_f1_class_10', 'train', 'f1')).toBeUndefined();
  expect(classCodeOfMetric('test_precision_class_10', 'test', 'f1')).toBeUndefined();
  expect(classCodeOfMetric('test_f1_class_', 'test', 'f1')).toBeUndefined();
  expect(classCodeOfMetric('test_f1_class_10x', 'test', 'f1')).toBeUndefined();
  expect(classCodeOfMetric('test_f1_weighted', 'test', 'f1')).toBeUndefined();
});
