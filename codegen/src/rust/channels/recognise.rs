//! Which message a text frame is: the body of a message enum's `from_text`.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Channel, Matcher, Message, MessageKind};
use crate::rust::ident::ident;

/// The body of `from_text`: which message a text frame is, then one decode as that type.
///
/// Messages recognised by a member only they have come before those recognised by a
/// constant, so that the scan can stop at the first such member (a frame carrying the marks
/// of two messages is not valid for either without undeclared members).
pub(super) fn recognition(c: &Channel) -> TokenStream {
    let json = c.incoming.iter().filter(|m| m.kind == MessageKind::Json);
    if let Some(only) = json.clone().find(|m| m.matcher == Some(Matcher::Always)) {
        let name = ident(&only.name);
        return quote!(serde_json::from_str(text).map(Self::#name));
    }
    let (has, constant): (Vec<&Message>, Vec<&Message>) = json
        .filter(|m| m.matcher.is_some())
        .partition(|m| matches!(m.matcher, Some(Matcher::Has { .. })));
    let ordered: Vec<&Message> = has.into_iter().chain(constant).collect();
    if ordered.is_empty() {
        return quote!(serde_json::from_str(text).map(Self::Unknown));
    }
    let matchers = ordered.iter().filter_map(|m| match m.matcher.as_ref()? {
        Matcher::Has { property } => Some(quote!(Matcher::Has(#property))),
        Matcher::Const { property, value } => Some(quote!(Matcher::Const(#property, #value))),
        Matcher::Always => None,
    });
    let arms = ordered.iter().enumerate().map(|(i, m)| {
        let name = ident(&m.name);
        let i = proc_macro2::Literal::usize_unsuffixed(i);
        quote!(Some(#i) => serde_json::from_str(text).map(Self::#name),)
    });
    quote! {
        const MATCHERS: &[Matcher] = &[#(#matchers),*];
        match recognise(text, MATCHERS) {
            #(#arms)*
            _ => serde_json::from_str(text).map(Self::Unknown),
        }
    }
}
