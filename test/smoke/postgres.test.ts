import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { stackEnv } from '../support/stack-env.js';

const client = new pg.Client({ connectionString: stackEnv().DATABASE_URL });
beforeAll(() => client.connect());
afterAll(() => client.end());

test('PostgreSQL: a parametrised round trip through a real table', async () => {
  await client.query('create temporary table smoke (id int primary key, label text not null)');
  await client.query('insert into smoke (id, label) values ($1, $2), ($3, $4)', [1, 'é ü ß', 2, 'two']);
  const { rows } = await client.query('select label from smoke where id = $1', [1]);
  expect(rows).toEqual([{ label: 'é ü ß' }]);
  const version = await client.query('show server_version_num');
  expect(Number(version.rows[0].server_version_num)).toBeGreaterThanOrEqual(150000);
});
