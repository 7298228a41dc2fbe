import { h } from '../ui.js';
export const title = 'events';
export function render(main) { main.append(h('h1', {}, 'events'), h('p', { class: 'state empty' }, 'Coming soon.')); }
