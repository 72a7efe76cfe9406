/** Small lookups on the element tree; each accepts a missing element so chains stay flat. */
import type {XmlElement} from './tree.js'

export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find(c => c.name === name)
}

export function childrenNamed(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter(c => c.name === name) : []
}

export function attr(el: XmlElement | undefined, name: string): string | undefined {
  return el?.attrs.get(name)
}

/** Trimmed text content; '' for an empty element, undefined for a missing one. */
export function textOf(el: XmlElement | undefined): string | undefined {
  return el?.text.trim()
}
