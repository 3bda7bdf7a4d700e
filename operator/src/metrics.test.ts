import { expect, test } from 'vitest';
import { OperatorMetrics } from './metrics.js';

const service = { namespace: 'shop', name: 'classifier' };

async function samples(metrics: OperatorMetrics): Promise<string[]> {
  return (await metrics.registry.metrics())
    .split('\n')
    .filter((line) => line.includes('service="classifier"'));
}

test("a service's live quality is exported per served version, an estimate only for a calibrated one, and goes with the service", async () => {
  const metrics = new OperatorMetrics();
  metrics.setLiveQuality(service, [
    {
      modelVersion: '3',
      labeled: 40,
      coverage: 0.4,
      accuracy: 0.75,
      estimatedAccuracy: 0.8,
      testAccuracy: 0.82,
    },
    { modelVersion: '2', labeled: 0, coverage: 0 },
  ]);
  const exported = await samples(metrics);
  expect(exported).toContain(
    'prodclass_estimated_accuracy{namespace="shop",service="classifier",model_version="3"} 0.8',
  );
  expect(exported).toContain(
    'prodclass_live_accuracy{namespace="shop",service="classifier",model_version="3"} 0.75',
  );
  expect(exported.filter((line) => line.includes('model_version="2"'))).toEqual([
    'prodclass_label_coverage{namespace="shop",service="classifier",model_version="2"} 0',
    'prodclass_live_labels{namespace="shop",service="classifier",model_version="2"} 0',
  ]);

  metrics.setLiveQuality(service, [{ modelVersion: '4', labeled: 1, coverage: 0.1, estimatedAccuracy: 0.7 }]);
  expect((await samples(metrics)).filter((line) => line.includes('model_version="3"'))).toEqual([]);
  metrics.setLiveQuality(service);
  expect(await samples(metrics)).toEqual([]);
});
