// The one escaping function of the CLI (lib/cli/escape.ts): what a container names reaches the
// terminal as inert text, and reads back unambiguously.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { escapeJson, escapeText } from '../lib/cli/escape.js';

test('escapeText: C0, DEL, C1, bidi and line separators escaped; backslash doubled; the rest as is', () => {
  assert.is(escapeText('\x1b]0;pwn\x07\x1b[2J'), '\\x1b]0;pwn\\x07\\x1b[2J');
  assert.is(escapeText('a\r\n\tb\x7f\u009b'), 'a\\x0d\\x0a\\x09b\\x7f\\x9b');
  assert.is(escapeText('evil\u202eexe.txt\u2028x'), 'evil\\u{202e}exe.txt\\u{2028}x');
  assert.is(escapeText('C:\\x1b'), 'C:\\\\x1b', 'a literal backslash cannot pass for an escape');
  assert.is(escapeText('nginx: worker process ü 日本'), 'nginx: worker process ü 日本');
});

test('escapeJson: the same JSON value, no raw DEL, C1 or bidi character', () => {
  const value = { name: 'a\x1b\u009b\u202e\x7f\u2029b', n: 1 };
  const text = escapeJson(JSON.stringify(value, null, 2));
  assert.not.match(text, /[\x1b\x7f-\x9f\u202e\u2029]/);
  assert.equal(JSON.parse(text), value);
  assert.ok(text.includes('\n'), 'layout newlines stay');
});

test.run();
