// Text a container controls (command lines, interface names, container names, paths in errors and
// audit evidence) is printed with its control characters escaped, so that it cannot move the
// cursor, clear the screen, set the window title or fake lines of our output (ESC, CSI, OSC, BEL,
// CR, LF, ...). One function for every command, so that all of them print the same text the same way.
//
// Escaped: C0 controls (U+0000-U+001F), DEL and C1 controls (U+0080-U+009F: U+009B is a CSI for
// terminals that honour 8-bit controls) as \xHH; the Unicode characters that reorder or break lines
// (bidi embeddings, overrides and isolates; line and paragraph separators) as \u{HHHH}; and the
// backslash itself as \\, so that the escaped text reads back unambiguously.

const UNSAFE = /[\\\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// What JSON.stringify leaves raw (it escapes C0 and the backslash itself; a structural newline must stay one).
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `text` with backslashes doubled and control and reordering characters written as \xHH or \u{HHHH}. */
export function escapeText(text: string): string {
  return text.replace(UNSAFE, (ch) => {
    if (ch === '\\') return '\\\\';
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/**
 * JSON text with the characters JSON.stringify leaves raw (DEL, C1 controls, bidi and line
 * separators) written as \uHHHH: the same value for a JSON parser, inert on a terminal.
 */
export function escapeJson(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
