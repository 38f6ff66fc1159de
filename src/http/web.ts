import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from '../logger.js';

const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');
const PAGES = path.join(WEB_ROOT, 'pages');
const ASSETS = path.join(WEB_ROOT, 'dist');

/**
 * Our pages load only our own scripts and talk only to this origin (HTTP and WebSocket). Styles may
 * be inline: the chart and the explorer set them from script.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

function page(file: string) {
  return (_req: Request, res: Response) => {
    res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(path.join(PAGES, file));
  };
}

/**
 * The browser pages served by the API itself: the live dashboard (/dashboard), a parent's view of
 * one application (/queue/<id>), and their bundles (/assets, built by `npm run build:web`). They use
 * only the public GraphQL contract, like any other client.
 */
export function webRouter(log: Logger): Router {
  if (!fs.existsSync(path.join(ASSETS, 'dashboard.js'))) {
    log.warn({ assets: ASSETS }, 'the web pages are not built: run `npm run build:web` (npm start and npm test do it first)');
  }
  const router = express.Router();
  router.get('/', (_req, res) => res.redirect(302, '/dashboard'));
  router.get('/dashboard', page('dashboard.html'));
  router.get('/queue/:applicationId', page('queue.html'));
  router.use('/assets', express.static(ASSETS, { fallthrough: false, maxAge: '5m', index: false }));
  return router;
}

/**
 * GET /graphql from a browser (it asks for HTML) gets the explorer, served from our own bundle so it
 * works with no internet access. Everything else on /graphql goes on to Apollo.
 */
export function explorerPage(enabled: boolean) {
  const send = page('explorer.html');
  return (req: Request, res: Response, next: NextFunction) => {
    if (enabled && req.method === 'GET' && !req.query.query && req.accepts(['application/json', 'text/html']) === 'text/html') return send(req, res);
    next();
  };
}
