//! Small pieces of syntax the layout shares: a file of items, and whether a part holds a
//! string literal over several lines.

use syn::buffer::Cursor;
use syn::{Attribute, File, Item};

/// A file of `items` with the inner attributes `attrs`.
pub(super) fn file(attrs: Vec<Attribute>, items: Vec<Item>) -> File {
    File {
        shebang: None,
        frontmatter: None,
        attrs,
        items,
    }
}

/// Whether a string literal between `from` and `to` spans lines: the text-level spacing
/// could reach inside it. Walks the parser's buffer, which needs no copy of the tokens.
pub(super) fn has_multiline_literal(mut from: Cursor, to: Cursor) -> bool {
    while from != to && !from.eof() {
        if let Some((inside, _, _, next)) = from.any_group() {
            if has_multiline_literal(inside, to) {
                return true;
            }
            from = next;
        } else if let Some((literal, next)) = from.literal() {
            if literal.to_string().contains('\n') {
                return true;
            }
            from = next;
        } else if let Some((_, next)) = from.punct() {
            from = next;
        } else {
            match from.token_tree() {
                Some((_, next)) => from = next,
                None => break,
            }
        }
    }
    false
}
