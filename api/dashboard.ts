// The dashboard (ui/): static pages and their scripts, and uPlot's files, served at /ui without an API key (the
// page asks for one and sends it with every call to /v1). No build step: the browser loads the files as they are.
import express, { Router } from 'express';
import { dirname, join } from 'node:path';

const UI_DIR = join(__dirname, '..', 'ui');
const UPLOT_DIST = join(dirname(require.resolve('uplot/package.json')), 'dist');

// Scripts and styles from this origin only (no inline script); calls go to this API alone.
const CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

export function dashboardRoutes(): Router {
  const router = Router();
  const files = { index: 'index.html', fallthrough: true, setHeaders: (res: express.Response) => res.set('Cache-Control', 'no-cache') };
  router.use('/ui', (_req, res, next) => {
    res.set({ 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
    next();
  });
  router.use('/ui/vendor', express.static(UPLOT_DIST, files));
  router.use('/ui', express.static(UI_DIR, files));
  return router;
}
