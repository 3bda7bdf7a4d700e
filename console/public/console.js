// Live status for the console's pages: one EventSource per page; the server renders every row.

function applyResource(change) {
  const body = document.querySelector(`tbody[data-kind="${change.kind}"]`);
  if (!body) return;
  const row = body.querySelector(`tr[data-key="${CSS.escape(change.key)}"]`);
  if (change.event === 'deleted') {
    row?.remove();
  } else if (row) {
    row.outerHTML = change.html;
  } else if (body.dataset.fixed === undefined) {
    body.insertAdjacentHTML('afterbegin', change.html);
  }
  const updated = body.querySelector(`tr[data-key="${CSS.escape(change.key)}"]`);
  updated?.classList.add('changed');
}

function connect() {
  const status = document.getElementById('live-status');
  const events = new EventSource(`/events?after=${document.body.dataset.liveAfter ?? ''}`);
  events.addEventListener('open', () => {
    if (status) status.textContent = 'live';
  });
  events.addEventListener('error', () => {
    if (status) status.textContent = 'reconnecting…';
  });
  events.addEventListener('resource', (event) => applyResource(JSON.parse(event.data)));
  events.addEventListener('fragment', (event) => {
    const fragment = JSON.parse(event.data);
    const target = document.getElementById(fragment.target);
    if (target) target.innerHTML = fragment.html;
  });
}

function exampleProducts() {
  const select = document.getElementById('example-product');
  if (!select) return;
  select.addEventListener('change', () => {
    const option = select.selectedOptions[0];
    if (!option?.value) return;
    document.getElementById('designation').value = option.dataset.designation ?? '';
    document.getElementById('description').value = option.dataset.description ?? '';
  });
}

connect();
exampleProducts();
