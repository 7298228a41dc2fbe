import { h } from '../ui.js';
export const title = 'llm';
export function render(main) { main.append(h('h1', {}, 'llm'), h('p', { class: 'state empty' }, 'Coming soon.')); }
