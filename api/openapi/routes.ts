// GET /openapi.json and GET /docs, without an API key; both built once, at start.
import { Router } from 'express';
import { docsPage } from './docs-page';
import { openApiDocument } from './document';

// The page has no script; its one style sheet is inline.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function apiDocsRoutes(): Router {
  const doc = openApiDocument();
  const page = docsPage(doc);
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(doc);
  });
  router.get('/docs', (_req, res) => {
    res.set({ 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff' }).type('html').send(page);
  });
  return router;
}
