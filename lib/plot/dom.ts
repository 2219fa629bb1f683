/**
 * A headless DOM for Observable Plot (linkedom), typed by the few members this module uses:
 * Deno's type library has no DOM types, and linkedom's own types assume them.
 */
import { parseHTML } from "linkedom";
import { StubCanvas } from "./canvas.ts";

/** The subset of a linkedom node that the figure composer reads and edits. */
export interface DomNode {
  readonly nodeType: number;
  readonly localName: string;
  readonly childNodes: ArrayLike<DomNode>;
  readonly textContent: string | null;
  readonly outerHTML: string;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  querySelectorAll(selector: string): ArrayLike<DomNode>;
  cloneNode(deep: boolean): DomNode;
  remove(): void;
}

export const ELEMENT_NODE = 1;

type CreateElement = (name: string, ...rest: unknown[]) => unknown;

/**
 * A fresh document to pass as Plot's `document` option (one per render: no shared state), whose
 * `createElement("canvas")` gives a StubCanvas (for colour ramp legends).
 */
export function headlessDocument(): unknown {
  const window = parseHTML("<!DOCTYPE html><html><head></head><body></body></html>") as unknown as {
    document: { createElement: CreateElement };
  };
  const doc = window.document;
  const create = doc.createElement.bind(doc);
  doc.createElement = (name, ...rest) =>
    name.toLowerCase() === "canvas" ? new StubCanvas() : create(name, ...rest);
  return doc;
}

/** Element children of `node`, in order. */
export function elementChildren(node: DomNode): DomNode[] {
  return Array.from(node.childNodes).filter((c) => c.nodeType === ELEMENT_NODE);
}

/** The element's class names. */
export function classList(node: DomNode): string[] {
  return (node.getAttribute("class") ?? "").split(/\s+/).filter((c) => c !== "");
}

/** Escapes text for XML character data and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}
