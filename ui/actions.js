// The buttons of the actions a job's or a schedule's state allows, each calling the same API a client would. A
// refusal (409: another client or the job itself changed its state meanwhile; 404: deleted meanwhile) shows the
// problem's detail.
import { api } from './api.js';
import { h, fill } from './dom.js';

/**
 * The actions of syncs and jobs (the API lists those allowed in allowedActions): each one's label, and for those
 * that throw work away the question asked first.
 */
const JOB_ACTIONS = {
  start: { label: 'Start' },
  pause: { label: 'Pause' },
  resume: { label: 'Resume' },
  restart: { label: 'Restart', confirm: 'Restart throws the progress away and begins again. Restart?' },
  cancel: { label: 'Cancel', confirm: 'Cancel stops the job and removes its partial files. Cancel the job?' },
  delete: { label: 'Delete', confirm: 'Delete removes the job and everything it keeps. Delete?' },
};

/**
 * `base`: the path of what is acted on ("/v1/syncs/<id>", "/v1/jobs/<id>", "/v1/schedules/<id>"). `actions`: as
 * JOB_ACTIONS; `note: question` asks for an optional note, sent as {note}. `onDone(action)` runs after an accepted
 * action (a delete: it is gone). Answers { el, render(allowedActions) }.
 */
export function actionBar(base, onDone, actions = JOB_ACTIONS) {
  const buttons = h('div', { class: 'action-buttons' });
  const message = h('div', { class: 'action-message', role: 'status' });
  let busy = false;

  async function act(action) {
    const { label, confirm, note } = actions[action];
    if (confirm && !window.confirm(confirm)) return;
    const text = note ? window.prompt(note, '') : '';
    if (text === null) return; // the question was dismissed: nothing is done
    busy = true;
    buttons.querySelectorAll('button').forEach((b) => (b.disabled = true));
    fill(message, `${label}…`).className = 'action-message';
    try {
      if (action === 'delete') await api('DELETE', base);
      else await api('POST', `${base}/${action}`, text.trim() ? { note: text.trim() } : undefined);
      fill(message, `${label}: accepted`).className = 'action-message ok';
      onDone(action);
    } catch (err) {
      fill(message, `${label} refused: ${err.message}`).className = 'action-message refused';
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
        h('button', { type: 'button', class: `btn btn-${a}`, 'data-action': a, onclick: () => act(a) }, actions[a]?.label ?? a)));
    },
  };
}

/**
 * The head of a sync's, a job's or a schedule's page: a link back to its list, the title, the action buttons, a
 * summary line and the problems. A delete goes back to the list; any other accepted action calls `afterAction`
 * (poll at once).
 */
export function detailHead(path, afterAction, { list = '#/', listName = 'All jobs', actions = JOB_ACTIONS } = {}) {
  const title = h('div', { class: 'page-title' });
  const summary = h('p', { class: 'muted' });
  const problems = h('div', { class: 'problems' });
  const bar = actionBar(path, (action) => (action === 'delete' ? (location.hash = list) : afterAction()), actions);
  const nodes = [h('a', { href: list, class: 'back' }, `← ${listName}`), h('header', { class: 'page-head' }, title, bar.el), summary, problems];
  return { title, summary, problems, actions: bar, nodes };
}
