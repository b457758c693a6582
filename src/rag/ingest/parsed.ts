/** What a file of any format becomes before cleaning: plain text in blocks, and what the file says about itself. */

export interface ParsedText {
  /** Blocks separated by blank lines. */
  text: string;
  /**
   * `marked`: the parser knew the structure, and a block is a heading exactly when it starts with "# ". `shape`:
   * plain text (or a page without an article), where headings are recognised by their shape.
   */
  headings: 'marked' | 'shape';
  /** From front matter or the page's head. */
  title?: string;
  /** ISO yyyy-mm-dd. */
  date?: string;
  author?: string;
}
