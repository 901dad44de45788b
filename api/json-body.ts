import type express from 'express';
import { fieldProblem } from './problem';

// A body that is not JSON would otherwise go unread and be refused field by field as if it were empty. A request
// without a Content-Type and without a body (Content-Length 0, or a chunked body, as some clients send) goes on.
export const requireJsonBody: express.RequestHandler = (req, _res, next) => {
  const type = req.headers['content-type'];
  const notJson = type === undefined ? Number(req.headers['content-length'] ?? 0) > 0 : req.is('application/json') === false;
  if (notJson) {
    return next(fieldProblem(415, 'Unsupported media type', 'body', `the body is ${type ? `of type "${type}"` : 'of no stated type'}, not JSON`,
      'send a JSON object with Content-Type: application/json'));
  }
  next();
};
