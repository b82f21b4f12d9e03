/**
 * One tooltip for the whole page: any element with `data-tip` shows its text on hover and on
 * keyboard focus (and on tap, which focuses it), and Escape hides it (WCAG 1.4.13). The same text
 * is the element's accessible name or description, so the tooltip itself is hidden from
 * assistive technology rather than read twice.
 */
import { h } from './dom';

const GAP = 8;

export function installTooltips(): void {
  const tip = h('div', { class: 'tooltip', 'aria-hidden': 'true', hidden: true });
  document.body.append(tip);
  let anchor: Element | null = null;

  const show = (target: Element): void => {
    const text = target.getAttribute('data-tip');
    if (!text) return;
    anchor = target;
    tip.textContent = text;
    tip.hidden = false;
    // Above the element when there is room, else below; kept inside the viewport.
    const box = target.getBoundingClientRect();
    const width = tip.offsetWidth;
    const height = tip.offsetHeight;
    const left = Math.min(Math.max(GAP, box.left + box.width / 2 - width / 2), document.documentElement.clientWidth - width - GAP);
    const top = box.top - height - GAP >= 0 ? box.top - height - GAP : box.bottom + GAP;
    tip.style.left = `${left + window.scrollX}px`;
    tip.style.top = `${top + window.scrollY}px`;
  };
  const hide = (): void => {
    anchor = null;
    tip.hidden = true;
  };
  const tipped = (event: Event): Element | null => (event.target instanceof Element ? event.target.closest('[data-tip]') : null);

  document.addEventListener('focusin', (event) => {
    const target = tipped(event);
    if (target) show(target);
    else hide();
  });
  document.addEventListener('focusout', hide);
  document.addEventListener('mouseover', (event) => {
    const target = tipped(event);
    if (target) show(target);
    else if (anchor && anchor !== document.activeElement) hide();
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') hide();
  });
  window.addEventListener('resize', hide);
}
