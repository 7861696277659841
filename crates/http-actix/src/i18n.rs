//! The caller's language, and putting messages into it.
//!
//! The request middleware ([`crate::request_id`]) records, for the request being handled, the
//! language of its `lang` header and the platform's [`Translator`]; everything that answers, a
//! handler, an extractor or a fallback, then says its [`Text`] through [`say`]. The eHealth
//! surface answers in English whatever the header says: its messages follow the national
//! specification word for word.

use domain::kernel::lang::Lang;
use domain::kernel::text::Text;

use crate::request_id;
use crate::surface::{Ehealth, Surface};

/// The language a request is answered in.
pub(crate) fn language_for(path: &str, header: Option<&str>) -> Lang {
    if path.starts_with(Ehealth::MOUNT) || path.starts_with(crate::routes::uploads::PREFIX) {
        Lang::En
    } else {
        Lang::from_header(header)
    }
}

/// The language of the request being handled (English outside a request).
pub fn lang() -> Lang {
    request_id::current().map_or(Lang::En, |r| r.lang)
}

/// `text` in the language of the request being handled.
pub fn say(text: &Text) -> String {
    match request_id::current() {
        Some(request) => request.translator.translate(request.lang, text),
        // Only code outside any request gets here (unit tests): the key says what was meant.
        None => text.to_string(),
    }
}

/// Says the key and arguments: for a server built without the application state (tests of the
/// adapter alone), so that an answer still names what it meant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeysOnly;

impl domain::kernel::text::Translator for KeysOnly {
    fn translate(&self, _lang: Lang, text: &Text) -> String {
        text.to_string()
    }
}
