import { h } from '../ui.js';
export const title = 'feedback';
export function render(main) { main.append(h('h1', {}, 'feedback'), h('p', { class: 'state empty' }, 'Coming soon.')); }
