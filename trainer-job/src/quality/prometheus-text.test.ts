import { expect, test } from 'vitest';
import { qualityExposition } from './prometheus-text.js';

test('one series per version and gauge, recall per class; absent values have no sample; label values escaped', () => {
  const text = qualityExposition(
    [
      {
        modelName: 'rakuten "a"',
        modelVersion: '3',
        served: 10,
        labeled: 4,
        coverage: 0.4,
        accuracy: 0.75,
        estimatedAccuracy: 0.8,
        weightedF1: 0.7,
        recall: { '10': 1, '2583': 0.5 },
        labelLagP50Seconds: 30,
      },
      {
        modelName: 'rakuten "a"',
        modelVersion: '4',
        served: 5,
        labeled: 0,
        coverage: 0,
        accuracy: null,
        estimatedAccuracy: 0.6,
        weightedF1: null,
        recall: {},
        labelLagP50Seconds: null,
      },
    ],
    (model) => model,
  );
  const samples = text.split('\n').filter((line) => line && !line.startsWith('#'));
  expect(samples).toEqual([
    'prodclass_live_accuracy{service="rakuten \\"a\\"",model_version="3"} 0.75',
    'prodclass_estimated_accuracy{service="rakuten \\"a\\"",model_version="3"} 0.8',
    'prodclass_estimated_accuracy{service="rakuten \\"a\\"",model_version="4"} 0.6',
    'prodclass_live_weighted_f1{service="rakuten \\"a\\"",model_version="3"} 0.7',
    'prodclass_label_coverage{service="rakuten \\"a\\"",model_version="3"} 0.4',
    'prodclass_label_coverage{service="rakuten \\"a\\"",model_version="4"} 0',
    'prodclass_labeled_predictions{service="rakuten \\"a\\"",model_version="3"} 4',
    'prodclass_labeled_predictions{service="rakuten \\"a\\"",model_version="4"} 0',
    'prodclass_label_lag_p50_seconds{service="rakuten \\"a\\"",model_version="3"} 30',
    'prodclass_live_recall{service="rakuten \\"a\\"",model_version="3",prdtypecode="10"} 1',
    'prodclass_live_recall{service="rakuten \\"a\\"",model_version="3",prdtypecode="2583"} 0.5',
  ]);
  expect(text).toContain('# TYPE prodclass_live_accuracy gauge');
});
