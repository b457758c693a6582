/**
 * The corpus as a scope sees it (corpus subfolders, issue 22's channel scopes): which indexed documents it may draw
 * on, and the name it knows each by. A document whose bytes stand under several names is indexed once, under its
 * first name; a scope that holds only another of its names sees it under that one, so no name from outside the scope
 * ever reaches an answer, a citation, a flag, a listing or a "not found" line.
 */
import { inScope, type Scope, type Summary } from './types.js';

interface Named {
  source: string;
  aliases: string[];
}

export class ScopeView {
  /** The indexed names of the documents in scope, or undefined for the whole corpus. */
  readonly sources: string[] | undefined;
  private readonly aliases = new Map<string, string[]>();

  constructor(documents: readonly Named[], readonly scope?: Scope) {
    if (!scope) return;
    const visible = documents.filter((d) => [d.source, ...d.aliases].some((name) => inScope(name, scope)));
    this.sources = visible.map((d) => d.source);
    for (const d of visible) this.aliases.set(d.source, d.aliases);
  }

  visible(source: string): boolean {
    return !this.sources || this.aliases.has(source);
  }

  /** The name the scope knows a document by: its own, or that of its copy inside the scope. */
  nameOf(source: string): string {
    if (inScope(source, this.scope)) return source;
    return this.aliases.get(source)?.find((alias) => inScope(alias, this.scope)) ?? source;
  }

  /** The other names a document has inside the scope. */
  otherNames(source: string, aliases: string[]): string[] {
    return [source, ...aliases].filter((name) => name !== this.nameOf(source) && inScope(name, this.scope));
  }

  /** Text that names documents (a "not found" line's closest documents), each named as the scope knows it. */
  text(text: string): string {
    let named = text;
    for (const source of this.sources ?? []) if (!inScope(source, this.scope)) named = named.replaceAll(source, this.nameOf(source));
    return named;
  }

  renamed<T extends { source: string }>(items: T[]): T[] {
    return this.scope ? items.map((item) => ({ ...item, source: this.nameOf(item.source) })) : items;
  }

  summary(summary: Summary): Summary {
    return { ...summary, citations: this.renamed(summary.citations), flags: this.renamed(summary.flags), documents: this.renamed(summary.documents), more: this.renamed(summary.more) };
  }
}
