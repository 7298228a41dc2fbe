// The dashboard shell: hash routing, the header (project switcher, logout)
// and the page life cycle. Each page module exports render(main, ctx) and
// may return a function that stops its timers when the page is left.
import { api, session } from './api.js';
import { h, clear, failed } from './ui.js';

const routes = {
  login: () => import('./pages/login.js'),
  overview: () => import('./pages/overview.js'),
  llm: () => import('./pages/llm.js'),
  traces: () => import('./pages/traces.js'),
  sessions: () => import('./pages/session.js'),
  events: () => import('./pages/events.js'),
  feedback: () => import('./pages/feedback.js'),
  insights: () => import('./pages/insights.js'),
  settings: () => import('./pages/settings.js'),
};

const main = document.getElementById('main');
const top = document.getElementById('top');
const picker = document.getElementById('project');
let me = null;
let stop = null;
let seq = 0;

/** The account and its projects (GET /api/v1/me), cached until logout. */
async function loadMe() {
  if (me) return me;
  me = await api('/me', { project: false });
  const slugs = me.projects.map((p) => p.slug);
  if (!slugs.includes(session.project)) session.project = slugs[0] || null;
  clear(picker).append(...me.projects.map((p) => h('option', { value: p.slug }, p.name || p.slug)));
  picker.value = session.project || '';
  document.getElementById('account').textContent = me.account.email;
  return me;
}

export function logout() {
  session.token = null;
  me = null;
  location.hash = '#/login';
}

export function projectInfo() {
  return me && me.projects.find((p) => p.slug === session.project);
}

export async function refreshMe() { me = null; return loadMe(); }

async function route() {
  const mine = ++seq;
  if (stop) { try { stop(); } catch { /* a page's cleanup must not stop routing */ } stop = null; }
  const parts = (location.hash.replace(/^#\/?/, '') || 'overview').split('/').map(decodeURIComponent);
  let name = parts[0];
  if (!routes[name]) name = 'overview';
  if (name !== 'login' && !session.token) { location.hash = '#/login'; return; }
  if (name === 'login' && session.token) { location.hash = '#/overview'; return; }
  top.hidden = name === 'login';
  if (name === 'login') me = null;   // whoever logs in next gets their own projects
  for (const a of document.querySelectorAll('#nav a'))
    a.getAttribute('href') === `#/${name}` ? a.setAttribute('aria-current', 'page') : a.removeAttribute('aria-current');
  clear(main);
  main.dataset.route = '';
  try {
    if (name !== 'login') await loadMe();
    const mod = await routes[name]();
    if (mine !== seq) return;
    if (name !== 'login' && !session.project) {
      main.append(h('h1', {}, 'No project'), h('p', { class: 'state empty' }, 'This account is not a member of any project yet.'));
      return;
    }
    document.title = `tally · ${mod.title || name}`;
    stop = (await mod.render(main, { params: parts.slice(1), me, projectInfo, refreshMe })) || null;
    main.dataset.route = name;   // rendered (its panels may still be loading)
  } catch (e) {
    if (mine !== seq || (e && e.status === 401)) return;
    main.append(failed(e));
  }
}

// the skip link focuses the content without touching the route
document.querySelector('.skip').addEventListener('click', (e) => { e.preventDefault(); main.focus(); });
picker.addEventListener('change', () => { session.project = picker.value; route(); });
document.getElementById('logout').addEventListener('click', logout);
window.addEventListener('hashchange', route);
route();
