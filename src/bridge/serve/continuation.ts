// When the friendly REPL asks for another line ("... ") before running what
// was typed, as MicroPython's REPL decides it: inside a triple-quoted string,
// with a bracket still open, after a trailing backslash, or in a compound
// statement (if, for, def, ...) until an empty line ends it.

const COMPOUND = /^(if|elif|else|for|while|try|except|finally|with|def|class|async|match|case)\b|^@/;

/** `text` is every line typed so far joined with "\n"; an empty last line shows as a trailing "\n". */
export function needsMoreInput(text: string): boolean {
  if (text.trim() === "") return false;
  let quote: string | null = null; // ' " ''' or """
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (text.startsWith(quote, i)) {
        i += quote.length - 1;
        quote = null;
      } else if (c === "\n" && quote.length === 1) quote = null; // an unterminated string ends at the line
      continue;
    }
    if (c === "#") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "'" || c === '"') {
      quote = text.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      i += quote.length - 1;
    } else if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth = Math.max(0, depth - 1);
  }
  if (quote && quote.length === 3) return true;
  if (depth > 0 && !quote) return true;
  if (text.endsWith("\\")) return true;
  return COMPOUND.test(text.trimStart()) && !text.endsWith("\n");
}

/** The indentation the REPL offers on the next "... " line: the last line's, four more after a ':'. */
export function autoIndent(lastLine: string): string {
  const indent = /^[ \t]*/.exec(lastLine)![0];
  return lastLine.trimEnd().endsWith(":") ? `${indent}    ` : indent;
}
