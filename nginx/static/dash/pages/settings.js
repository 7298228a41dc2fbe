import { h } from '../ui.js';
export const title = 'settings';
export function render(main) { main.append(h('h1', {}, 'settings'), h('p', { class: 'state empty' }, 'Coming soon.')); }
