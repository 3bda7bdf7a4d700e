import { type Html, html } from '../html.js';

export interface PageContext {
  /** The signed-in user, when authentication is on. */
  user: string | undefined;
  csrfToken: string;
  namespace: string;
  /** A one-line result of the last action (from the redirect's query). */
  notice?: string | undefined;
  /** The last live change the page includes; its event stream resumes after it. */
  liveAfter: number;
}

const pages = [
  { path: '/data', title: 'Data' },
  { path: '/training', title: 'Training' },
  { path: '/models', title: 'Models' },
  { path: '/monitoring', title: 'Monitoring' },
  { path: '/quality', title: 'Quality' },
] as const;

export function layout(context: PageContext, current: string, title: string, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · prodclass console</title>
<link rel="stylesheet" href="/static/console.css">
<script src="/static/console.js" defer></script>
</head>
<body data-live-after="${context.liveAfter}">
<header>
<a class="brand" href="/">prodclass</a>
<nav aria-label="Pages"><ul>
${pages.map(
  (page) =>
    html`<li><a href="${page.path}"${current === page.path ? html` aria-current="page"` : ''}>${page.title}</a></li>`,
)}
</ul></nav>
<p class="who">namespace <strong>${context.namespace}</strong>${context.user ? html` · signed in as <strong>${context.user}</strong>` : ''}</p>
<p class="live" id="live-status" role="status" aria-live="polite">connecting…</p>
</header>
<main>
<h1>${title}</h1>
${context.notice ? html`<p class="notice" role="status">${context.notice}</p>` : ''}
${body}
</main>
</body>
</html>`;
}

/** A form that posts with the CSRF token. */
export function actionForm(
  context: PageContext,
  action: string,
  fields: Html,
  submit: string,
  className = '',
): Html {
  return html`<form method="post" action="${action}" class="${className}">
<input type="hidden" name="_csrf" value="${context.csrfToken}">
${fields}
<button type="submit">${submit}</button>
</form>`;
}

export function phaseBadge(phase: string | undefined): Html {
  const value = phase ?? 'Pending';
  return html`<span class="phase phase-${value.toLowerCase()}">${value}</span>`;
}

export function formatTime(value: string | undefined | null): string {
  if (!value) return '—';
  return value.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
}
