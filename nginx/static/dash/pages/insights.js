import { h } from '../ui.js';
export const title = 'insights';
export function render(main) { main.append(h('h1', {}, 'insights'), h('p', { class: 'state empty' }, 'Coming soon.')); }
