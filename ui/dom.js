// Building the page from elements (text always as text, never as HTML), and polling that stops with the view.

/** h('div', { class: 'x', onclick }, child, 'text', [more]) → an element. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name in el && name !== 'list' && typeof value !== 'string') el[name] = value;
    else el.setAttribute(name, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the content of `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A state as a coloured badge. */
export const badge = (state, extra = '') => h('span', { class: `badge state-${String(state).toLowerCase()} ${extra}` }, state);

/** A progress bar of `pct` (0–100). */
export function progressBar(pct, label) {
  const bar = h('div', { class: 'bar-fill' });
  bar.style.width = `${Math.max(0, Math.min(100, pct))}%`;
  return h('div', { class: 'bar', role: 'progressbar', 'aria-valuenow': String(pct), 'aria-valuemin': '0', 'aria-valuemax': '100' },
    bar, h('span', { class: 'bar-label' }, label));
}

/** A message about what went wrong, with the suggestion that comes with it. */
export const notice = (kind, message, suggestion) =>
  h('div', { class: `notice notice-${kind}` }, h('strong', {}, message), suggestion ? h('div', { class: 'suggestion' }, suggestion) : null);

/**
 * Calls `fn` now and then every `ms` after each call ends (never two at once); stop() ends it. An error is given
 * to `onError` and polling goes on: the API may come back.
 */
export function poll(fn, ms, onError) {
  let stopped = false;
  let running = false;
  let again = false;
  let timer;
  const tick = async () => {
    running = true;
    try {
      await fn();
    } catch (err) {
      if (!stopped) onError?.(err);
    }
    running = false;
    if (stopped) return;
    if (again) {
      again = false;
      tick();
    } else timer = setTimeout(tick, ms);
  };
  tick();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    /** Polls at once (after the call in flight, if any): after an action, the page shows its effect. */
    now() {
      if (running) again = true;
      else if (!stopped) {
        clearTimeout(timer);
        tick();
      }
    },
  };
}

/** A titled section of a page. */
export const card = (name, ...body) => h('section', { class: 'card' }, h('h2', {}, name), ...body);
