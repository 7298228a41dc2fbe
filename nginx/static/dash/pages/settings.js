// #/settings: the project's API keys (list, create with the key shown once,
// revoke), its retention and rate limit (PATCH /api/v1/projects/{slug}) and
// its members (list, add, remove).
import { api, session } from '../api.js';
import { h, time, clear, fill, when, table, empty } from '../ui.js';

export const title = 'Settings';

/** A button that asks for a second click before it acts (no blocking dialogs). */
function confirmButton(label, confirmLabel, act, attrs = {}) {
  const b = h('button', { type: 'button', class: 'danger small', ...attrs }, label);
  let armed = false;
  b.addEventListener('click', async () => {
    if (!armed) { armed = true; b.textContent = confirmLabel; return; }
    b.disabled = true;
    try { await act(); } catch (e) { b.disabled = false; armed = false; b.textContent = label; b.title = e.message; }
  });
  b.addEventListener('blur', () => { if (armed && !b.disabled) { armed = false; b.textContent = label; } });
  return b;
}

function msgBox() { return h('p', { class: 'state', role: 'status' }); }

export function render(main, { projectInfo, refreshMe }) {
  const slug = session.project;
  const p = projectInfo() || { settings: {} };
  const owner = p.role === 'owner';
  const admin = owner || p.role === 'admin';
  const keyList = h('div', { id: 'keys' });
  const shown = h('div', { 'aria-live': 'polite' });
  const keyMsg = msgBox();

  function loadKeys() {
    fill(keyList, async () => {
      const keys = (await api(`/projects/${encodeURIComponent(slug)}/keys`)).data;
      return table([
        { label: 'Name', cell: (k) => k.name || '' },
        { label: 'Kind', cell: (k) => k.kind },
        { label: 'Prefix', cell: (k) => h('code', {}, k.prefix) },
        { label: 'Created', cell: (k) => time(k.created_at) },
        { label: 'Last used', cell: (k) => time(k.last_used_at) },
        { label: 'State', cell: (k) => (k.revoked_at ? `revoked ${when(k.revoked_at)}` : 'active') },
        { label: '', cell: (k) => (k.revoked_at || !admin ? '' : confirmButton('Revoke', 'Confirm revoke', async () => {
          await api(`/projects/${encodeURIComponent(slug)}/keys/${k.id}`, { method: 'DELETE' });
          keyMsg.textContent = `Key ${k.prefix}… revoked.`;
          loadKeys();
        }, { 'aria-label': `Revoke key ${k.name || k.prefix}`, dataset: { keyId: k.id } })) },
      ], keys, { emptyText: 'No keys yet.', id: 'keys-table' });
    });
  }

  const keyForm = h('form', { class: 'inline', id: 'key-form', 'aria-label': 'Create a key' },
    h('span', { class: 'field' }, h('label', { for: 'key-name' }, 'Name'), h('input', { id: 'key-name', name: 'name', required: true, maxlength: 100 })),
    h('span', { class: 'field' }, h('label', { for: 'key-kind' }, 'Kind'),
      h('select', { id: 'key-kind', name: 'kind' }, h('option', { value: 'ingest' }, 'ingest (browser, SDKs)'), h('option', { value: 'secret' }, 'secret (server, reads)'))),
    h('button', { type: 'submit', class: 'primary' }, 'Create key'));
  keyForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(keyForm);
    try {
      const k = await api(`/projects/${encodeURIComponent(slug)}/keys`, { method: 'POST', body: { name: f.get('name'), kind: f.get('kind') } });
      clear(shown).append(h('div', { class: 'secret' },
        h('p', {}, h('strong', {}, 'Copy this key now: it is not shown again.')),
        h('code', { id: 'new-key' }, k.key)));
      keyForm.reset();
      keyMsg.textContent = '';
      loadKeys();
    } catch (err) { keyMsg.textContent = `Could not create the key: ${err.message}`; }
  });

  // retention and rate limit
  const s = p.settings || {};
  const projMsg = msgBox();
  const numInput = (id, name, label, value, hint) => h('p', { class: 'field stack' }, h('label', { for: id }, label),
    h('input', { id, name, type: 'number', min: 0, step: 1, value: value === null || value === undefined ? '' : value, placeholder: hint, disabled: !owner }));
  const projForm = h('form', { id: 'project-form', 'aria-label': 'Project settings' },
    numInput('set-retention', 'retention_days', 'Retention (days, empty: the server default)', s.retention_days, 'server default'),
    numInput('set-rate', 'rate_limit_per_min', 'Rate limit per key (requests a minute, empty: the server default)', s.rate_limit_per_min, 'server default'),
    owner ? h('button', { type: 'submit', class: 'primary' }, 'Save') : h('p', { class: 'muted' }, 'Only an owner can change these.'));
  projForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(projForm);
    const val = (k) => (f.get(k) === '' ? null : Number(f.get(k)));
    try {
      await api(`/projects/${encodeURIComponent(slug)}`, { method: 'PATCH', body: { retention_days: val('retention_days'), rate_limit_per_min: val('rate_limit_per_min') } });
      await refreshMe();
      projMsg.textContent = 'Saved.';
    } catch (err) { projMsg.textContent = `Could not save: ${err.message}`; }
  });

  // members
  const memberList = h('div', { id: 'members' });
  const memMsg = msgBox();
  function loadMembers() {
    fill(memberList, async () => {
      const ms = (await api(`/projects/${encodeURIComponent(slug)}/members`)).data;
      return table([
        { label: 'Email', cell: (m) => m.email },
        { label: 'Role', cell: (m) => m.role },
        { label: 'Since', cell: (m) => time(m.created_at) },
        { label: '', cell: (m) => (!owner ? '' : confirmButton('Remove', 'Confirm remove', async () => {
          try {
            await api(`/projects/${encodeURIComponent(slug)}/members/${m.account_id}`, { method: 'DELETE' });
            memMsg.textContent = `${m.email} removed.`;
            loadMembers();
          } catch (err) { memMsg.textContent = `Could not remove: ${err.message}`; throw err; }
        }, { 'aria-label': `Remove ${m.email}` })) },
      ], ms, { emptyText: 'No members.', id: 'members-table' });
    });
  }
  const memForm = h('form', { class: 'inline', id: 'member-form', 'aria-label': 'Add a member' },
    h('span', { class: 'field' }, h('label', { for: 'mem-email' }, 'Email'), h('input', { id: 'mem-email', name: 'email', type: 'email', required: true })),
    h('span', { class: 'field' }, h('label', { for: 'mem-role' }, 'Role'),
      h('select', { id: 'mem-role', name: 'role' }, ['viewer', 'admin', 'owner'].map((r) => h('option', { value: r }, r)))),
    h('button', { type: 'submit', class: 'primary' }, 'Add member'));
  memForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(memForm);
    try {
      await api(`/projects/${encodeURIComponent(slug)}/members`, { method: 'POST', body: { email: f.get('email'), role: f.get('role') } });
      memMsg.textContent = `${f.get('email')} added.`;
      memForm.reset();
      loadMembers();
    } catch (err) { memMsg.textContent = `Could not add: ${err.message}`; }
  });

  main.append(h('h1', {}, `Settings · ${p.name || slug}`),
    h('section', { class: 'panel', 'aria-labelledby': 'keys-h' }, h('h2', { id: 'keys-h' }, 'API keys'),
      admin ? [keyForm, shown] : null, keyMsg, keyList),
    h('div', { class: 'grid2' },
      h('section', { class: 'panel', 'aria-labelledby': 'proj-h' }, h('h2', { id: 'proj-h' }, 'Retention and rate limit'), projForm, projMsg),
      h('section', { class: 'panel', 'aria-labelledby': 'mem-h' }, h('h2', { id: 'mem-h' }, 'Members'),
        owner ? memForm : null, memMsg, memberList)));
  if (!admin) keyList.before(empty('Keys are created and revoked by the project\'s admins and owners.'));
  loadKeys();
  loadMembers();
}
