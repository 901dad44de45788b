// The dashboard's shell: sign-in with an API key, sign-out, the views' links, and a router on location.hash (#/
// the fleet, #/syncs/<id> a sync, #/jobs/<id> an extraction job, #/schedules the schedules, #/schedules/<id> one).
// Each page polls while it is shown.
import { api, apiKey, signIn, signOut } from './api.js';
import { fill, h } from './dom.js';
import { fleetPage } from './fleet.js';
import { jobPage } from './job.js';
import { schedulePage } from './schedule.js';
import { schedulesPage } from './schedules.js';
import { syncPage } from './sync.js';

const main = document.getElementById('main');
const views = document.getElementById('views');
const session = document.getElementById('session');
const status = document.getElementById('status');
let leave = () => {};
const detailPages = { syncs: syncPage, jobs: jobPage, schedules: schedulePage };

const pageHooks = {
  onUpdated: () => fill(status, `Updated ${new Date().toLocaleTimeString()}`).classList.remove('error'),
  onError: (err) => fill(status, `Could not refresh: ${err.message}`).classList.add('error'),
};

function route() {
  leave();
  leave = () => {};
  fill(status);
  if (!apiKey()) return showSignIn();
  fill(session, h('button', { type: 'button', class: 'btn btn-quiet', id: 'sign-out', onclick: () => { signOut(); route(); } }, 'Sign out'));
  const [, kind, id] = /^#\/(syncs|jobs|schedules)(?:\/([^/?]+))?/.exec(location.hash) ?? [];
  const onSchedules = kind === 'schedules';
  fill(views,
    h('a', { href: '#/', 'aria-current': onSchedules ? null : 'page' }, 'Jobs and syncs'),
    h('a', { href: '#/schedules', 'aria-current': onSchedules ? 'page' : null }, 'Schedules'));
  const root = h('div', { class: 'page' });
  fill(main, root);
  if (id) leave = detailPages[kind](root, decodeURIComponent(id), pageHooks);
  else if (onSchedules) leave = schedulesPage(root, pageHooks);
  else leave = fleetPage(root, pageHooks);
}

function showSignIn(problem) {
  fill(views);
  fill(session);
  const input = h('input', { type: 'password', name: 'apiKey', id: 'api-key', autocomplete: 'off', required: true, placeholder: 'paste your API key' });
  const message = h('p', { class: 'form-error', role: 'alert' }, problem ?? '');
  const form = h('form', { class: 'sign-in card', onsubmit: async (e) => {
    e.preventDefault();
    const key = input.value.trim();
    try {
      await api('GET', '/v1/syncs?limit=1', undefined, key); // the key is checked before it is kept
      signIn(key);
      route();
    } catch (err) {
      fill(message, err.status === 401 ? 'This API key is not valid.' : `Could not sign in: ${err.message}`);
    }
  } },
  h('h1', {}, 'Sign in'),
  h('p', { class: 'muted' }, 'Your API key is kept in this browser tab only (session storage) and sent to this API with every call.'),
  h('label', { for: 'api-key' }, 'API key'), input, message,
  h('button', { type: 'submit', class: 'btn btn-primary' }, 'Sign in'));
  fill(main, form);
  input.focus();
}

window.addEventListener('hashchange', route);
window.addEventListener('sluice:unauthorized', () => {
  signOut();
  leave();
  leave = () => {};
  showSignIn('The API key was refused: sign in again.');
});
route();
