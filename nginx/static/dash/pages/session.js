import { h } from '../ui.js';
export const title = 'session';
export function render(main) { main.append(h('h1', {}, 'session'), h('p', { class: 'state empty' }, 'Coming soon.')); }
