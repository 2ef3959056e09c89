/**
 * The page invitation links open on this machine (the default ACCEPT_URL): it shows the public
 * preview of the invitation and accepts it with a bearer token pasted from `npm run token`. In a
 * deployment this is the product's own web page; locally it stands in for it.
 */
export const ACCEPT_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Invitation</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; }
  dt { font-weight: 600; } dd { margin: 0 0 .5rem 0; }
  textarea { width: 100%; height: 6rem; font-family: monospace; }
  pre { background: #f4f4f4; padding: 1rem; overflow: auto; }
</style>
</head>
<body>
<h1>Invitation</h1>
<dl id="preview"><dd>Loading…</dd></dl>
<h2>Accept</h2>
<p>Paste a token for the invited address (<code>npm run token -- --sub you --email &lt;address&gt;</code>):</p>
<textarea id="jwt" placeholder="eyJ…"></textarea>
<p><button id="accept">Accept the invitation</button></p>
<pre id="result" hidden></pre>
<script>
  const token = new URLSearchParams(location.search).get('token') || '';
  const preview = document.getElementById('preview');
  const result = document.getElementById('result');
  const path = '/api/invitation-tokens/' + encodeURIComponent(token);
  function show(target, entries) {
    target.replaceChildren();
    for (const [name, value] of entries) {
      const dt = document.createElement('dt');
      dt.textContent = name;
      const dd = document.createElement('dd');
      dd.textContent = typeof value === 'string' ? value : JSON.stringify(value);
      target.append(dt, dd);
    }
  }
  fetch(path).then(async (response) => {
    const body = await response.json().catch(() => ({}));
    if (!response.ok) return show(preview, [['Problem', body.detail || body.title || response.statusText]]);
    show(preview, Object.entries(body).filter(([name]) => !name.startsWith('_')));
  });
  document.getElementById('accept').addEventListener('click', async () => {
    const jwt = document.getElementById('jwt').value.trim();
    const response = await fetch(path + '/accept', { method: 'POST', headers: { authorization: 'Bearer ' + jwt } });
    result.hidden = false;
    result.textContent = response.status + ' ' + response.statusText + '\\n' + (await response.text());
  });
</script>
</body>
</html>
`;
