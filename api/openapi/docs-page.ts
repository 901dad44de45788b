// GET /docs: the document as one static HTML page, rendered here (no script, nothing fetched from elsewhere):
// every operation with its parameters, request body and responses; schemas as JSON.
import type { OpenApiDocument } from './document';
import type { Operation } from './operation';

const esc = (v: unknown) => String(v).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const code = (v: unknown) => `<pre>${esc(JSON.stringify(v, null, 2))}</pre>`;
const details = (summary: string, v: unknown) => `<details><summary>${esc(summary)}</summary>${code(v)}</details>`;

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}
section{border-top:1px solid #ddd;padding:.6rem 0}h3{font:600 15px ui-monospace,monospace;margin:.3rem 0}
.m{display:inline-block;min-width:4.2rem;text-transform:uppercase}table{border-collapse:collapse;margin:.3rem 0}
td,th{border:1px solid #ddd;padding:.15rem .5rem;text-align:left;vertical-align:top}pre{background:#f6f6f6;padding:.5rem;overflow:auto;font-size:13px}`;

function schemaBrief(s: Record<string, unknown>): string {
  const facts = ['type', 'enum', 'pattern', 'minimum', 'maximum', 'maxLength', 'default'].filter((k) => s[k] !== undefined);
  return facts.map((k) => `${k}: ${JSON.stringify(s[k])}`).join(', ');
}

function renderOperation(method: string, path: string, op: Operation): string {
  const params = (op.parameters ?? [])
    .map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${p.in}</td><td>${p.required ? 'yes' : ''}</td><td>${esc(p.description ?? '')}</td><td>${esc(schemaBrief(p.schema))}</td></tr>`)
    .join('');
  const responses = Object.entries(op.responses)
    .map(([status, r]) => `<tr><td>${status}</td><td>${esc(r.description)}</td><td>${esc(Object.keys(r.content ?? {}).join(', '))}</td></tr>`)
    .join('');
  const body = 'requestBody' in op && op.requestBody ? details(`Request body (application/json)${op.requestBody.description ? `: ${op.requestBody.description}` : ''}`, op.requestBody.content['application/json'].schema) : '';
  const auth = op.security?.length === 0 ? ' · no API key' : '';
  return `<section id="${esc(op.operationId)}"><h3><span class="m">${method}</span>${esc(path)}</h3><p>${esc(op.summary)}${auth}</p>` +
    (op.description ? `<p>${esc(op.description)}</p>` : '') +
    (params ? `<table><tr><th>parameter</th><th>in</th><th>required</th><th>meaning</th><th>schema</th></tr>${params}</table>` : '') +
    body + `<table><tr><th>status</th><th>meaning</th><th>content</th></tr>${responses}</table></section>`;
}

export function docsPage(doc: OpenApiDocument): string {
  const ops = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ method, path, op: op as Operation })));
  const byTag = doc.tags.map(({ name }) => {
    const mine = ops.filter((o) => o.op.tags[0] === name);
    return `<h2>${esc(name)}</h2>${mine.map((o) => renderOperation(o.method, o.path, o.op)).join('')}`;
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(doc.info.title)}</title><style>${STYLE}</style></head><body>` +
    `<h1>${esc(doc.info.title)}</h1><p>${esc(doc.info.description)}</p><p>The document: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${doc.openapi}).</p>` +
    `${byTag.join('')}<h2>Problem (every error, application/problem+json)</h2>${code(doc.components.schemas.Problem)}</body></html>`;
}
