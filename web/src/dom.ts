/**
 * Building the page's elements. Text from the API (titles, group names, footnotes) only ever
 * becomes text nodes or attribute values, never markup: the page has no innerHTML.
 */

type Attributes = Readonly<Record<string, string | number | boolean | undefined>>;
type Child = Node | string | undefined | false;

const SVG_NS = 'http://www.w3.org/2000/svg';

function fill<E extends Element>(element: E, attributes: Attributes, children: readonly Child[]): E {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === undefined || child === false) continue;
    element.append(child);
  }
  return element;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  return fill(document.createElement(tag), attributes, children);
}

export function s<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  return fill(document.createElementNS(SVG_NS, tag), attributes, children);
}

/** A page-unique id for elements that others refer to (labels, footnotes, patterns). */
let lastId = 0;
export function uniqueId(prefix: string): string {
  lastId += 1;
  return `${prefix}-${lastId}`;
}

/** A form control with its visible label above it. */
export function labelled(label: string, control: HTMLElement & { id: string }): HTMLElement {
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
}

export interface Option {
  readonly value: string;
  readonly label: string;
  readonly disabled?: boolean;
}

export function select(id: string, options: readonly Option[], value: string, onChange: (value: string) => void): HTMLSelectElement {
  const element = h('select', { id }, ...options.map((o) => h('option', { value: o.value, selected: o.value === value, disabled: o.disabled }, o.label)));
  element.addEventListener('change', () => onChange(element.value));
  return element;
}
