import { expect, test } from 'vitest';
import { html } from './html.js';

test('interpolations are escaped, nested templates and arrays are not escaped twice', () => {
  const name = `<script>alert("x")</script>&'`;
  const out = html`<p title="${name}">${name}</p>${[1, 2].map((n) => html`<i>${n}</i>`)}${undefined}${false}`;
  expect(out.value).toBe(
    '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</p><i>1</i><i>2</i>',
  );
});
