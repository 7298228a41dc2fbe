import { h } from '../ui.js';
export const title = 'traces';
export function render(main) { main.append(h('h1', {}, 'traces'), h('p', { class: 'state empty' }, 'Coming soon.')); }
