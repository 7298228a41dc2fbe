// #/login: log in (POST /api/v1/auth/login) or sign up (POST /api/v1/auth/signup).
import { api, session } from '../api.js';
import { h } from '../ui.js';

export const title = 'Log in';

function field(label, name, type, extra = {}) {
  const id = `f-${name}`;
  return h('p', { class: 'field stack' }, h('label', { for: id }, label),
    h('input', { id, name, type, required: true, ...extra }));
}

export function render(main) {
  const msg = h('p', { class: 'state error', role: 'alert', hidden: true });
  const showError = (e) => { msg.hidden = false; msg.textContent = e.message; };

  const login = h('form', { id: 'login-form', class: 'panel narrow', 'aria-labelledby': 'login-h' },
    h('h1', { id: 'login-h' }, 'Log in to tally'),
    field('Email', 'email', 'email', { autocomplete: 'username' }),
    field('Password', 'password', 'password', { autocomplete: 'current-password' }),
    h('button', { type: 'submit', class: 'primary' }, 'Log in'),
    h('p', {}, 'No account? ', h('a', { href: '#/login/signup' }, 'Sign up')));
  login.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    msg.hidden = true;
    const f = new FormData(login);
    try {
      const r = await api('/auth/login', { method: 'POST', auth: false, project: false,
        body: { email: f.get('email'), password: f.get('password') } });
      session.token = r.token;
      location.hash = '#/overview';
    } catch (e) { showError(e.status === 401 ? new Error('Wrong email or password.') : e); }
  });

  const signup = h('form', { id: 'signup-form', class: 'panel narrow', 'aria-labelledby': 'signup-h' },
    h('h1', { id: 'signup-h' }, 'Sign up'),
    field('Email', 'email', 'email', { autocomplete: 'username' }),
    field('Password', 'password', 'password', { autocomplete: 'new-password', minlength: 8 }),
    field('First project name', 'project_name', 'text'),
    h('button', { type: 'submit', class: 'primary' }, 'Create account'),
    h('p', {}, 'Have an account? ', h('a', { href: '#/login' }, 'Log in')));
  signup.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    msg.hidden = true;
    const f = new FormData(signup);
    try {
      const r = await api('/auth/signup', { method: 'POST', auth: false, project: false,
        body: { email: f.get('email'), password: f.get('password'), project_name: f.get('project_name') } });
      session.token = r.token;
      session.project = r.project && r.project.slug;
      signup.replaceWith(h('section', { class: 'panel narrow' },
        h('h1', {}, 'Your keys'),
        h('p', {}, 'They are shown once: copy them now.'),
        h('dl', { class: 'keys' },
          h('dt', {}, 'Ingest key (browser, SDKs)'), h('dd', {}, h('code', {}, r.keys.ingest.key)),
          h('dt', {}, 'Secret key (server, reads)'), h('dd', {}, h('code', {}, r.keys.secret.key))),
        h('a', { class: 'button primary', href: '#/overview' }, 'Go to the dashboard')));
    } catch (e) { showError(e); }
  });

  const signingUp = location.hash === '#/login/signup';
  main.append(h('div', { class: 'center' }, signingUp ? signup : login, msg));
  (signingUp ? signup : login).querySelector('input').focus();
}
