// The buttons of the actions a job's state allows (as the API lists them in allowedActions), each calling the same
// API a client would. A refusal (409: another client or the job itself changed its state meanwhile) shows the
// problem's detail.
import { api } from './api.js';
import { h, fill } from './dom.js';

const LABELS = { start: 'Start', pause: 'Pause', resume: 'Resume', restart: 'Restart', cancel: 'Cancel', delete: 'Delete' };
// Actions that throw work away ask first.
const CONFIRM = {
  restart: 'Restart throws the progress away and begins again. Restart?',
  cancel: 'Cancel stops the job and removes its partial files. Cancel the job?',
  delete: 'Delete removes the job and everything it keeps. Delete?',
};

/**
 * `base`: the job's path ("/v1/syncs/<id>" or "/v1/jobs/<id>"). `onDone(action)` runs after an accepted action
 * (a delete: the job is gone). Answers { el, render(allowedActions) }.
 */
export function actionBar(base, onDone) {
  const buttons = h('div', { class: 'action-buttons' });
  const message = h('div', { class: 'action-message', role: 'status' });
  let busy = false;

  async function act(action) {
    if (CONFIRM[action] && !window.confirm(CONFIRM[action])) return;
    busy = true;
    buttons.querySelectorAll('button').forEach((b) => (b.disabled = true));
    fill(message, `${LABELS[action]}…`).className = 'action-message';
    try {
      if (action === 'delete') await api('DELETE', base);
      else await api('POST', `${base}/${action}`);
      fill(message, `${LABELS[action]}: accepted`).className = 'action-message ok';
      onDone(action);
    } catch (err) {
      fill(message, `${LABELS[action]} refused: ${err.message}`).className = 'action-message refused';
    } finally {
      busy = false;
      buttons.querySelectorAll('button').forEach((b) => (b.disabled = false));
    }
  }

  return {
    el: h('div', { class: 'actions' }, buttons, message),
    render(allowed) {
      if (busy) return;
      const key = allowed.join(',');
      if (buttons.dataset.allowed === key) return; // keep focus and hover while nothing changes
      buttons.dataset.allowed = key;
      fill(buttons, allowed.map((a) =>
        h('button', { type: 'button', class: `btn btn-${a}`, 'data-action': a, onclick: () => act(a) }, LABELS[a] ?? a)));
    },
  };
}

/**
 * The head of a sync's or a job's page: a link back, the title, the action buttons, a summary line and the
 * problems. A delete goes back to the list; any other accepted action calls `afterAction` (poll at once).
 */
export function detailHead(path, afterAction) {
  const title = h('div', { class: 'page-title' });
  const summary = h('p', { class: 'muted' });
  const problems = h('div', { class: 'problems' });
  const actions = actionBar(path, (action) => (action === 'delete' ? (location.hash = '#/') : afterAction()));
  const nodes = [h('a', { href: '#/', class: 'back' }, '← All jobs'), h('header', { class: 'page-head' }, title, actions.el), summary, problems];
  return { title, summary, problems, actions, nodes };
}
