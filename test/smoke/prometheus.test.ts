import { expect, test } from 'vitest';
import { stackEnv } from '../support/stack-env.js';

test('Prometheus: a query over its own scraped metrics returns a sample', async () => {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const url = new URL('/api/v1/query', stackEnv().PROMETHEUS_URL);
    url.searchParams.set('query', 'up{job="prometheus"}');
    const body = (await (await fetch(url)).json()) as {
      status: string;
      data: { result: { value: [number, string] }[] };
    };
    expect(body.status).toBe('success');
    if (body.data.result.length > 0) {
      expect(body.data.result[0]?.value[1]).toBe('1');
      return;
    }
    if (Date.now() > deadline) throw new Error('Prometheus never scraped itself within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
});
