//! The message catalogues: every text the platform shows people, in English and Arabic.
//!
//! One Project Fluent file per language (`locales/en.ftl`, `locales/ar.ftl`), embedded in the
//! binary. [`Catalogues`] implements the domain's [`Translator`] port: it renders a [`Text`] (a
//! message key and its arguments) in the chosen language, choosing plural forms by the language's
//! rules (Arabic has six) and, in Arabic, isolating each inserted value (Unicode FSI … PDI) so that
//! Latin names, numbers and ids do not disturb the right-to-left order around them.
//!
//! Fluent was chosen over hand-written tables and over gettext because it gives translators
//! selectors and plural categories in the catalogue itself; see `docs/i18n.md`.

use std::fmt;

use domain::kernel::lang::Lang;
use domain::kernel::text::{Arg, Key, Text, Translator};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// The English catalogue's source.
pub const ENGLISH: &str = include_str!("../locales/en.ftl");
/// The Arabic catalogue's source.
pub const ARABIC: &str = include_str!("../locales/ar.ftl");

/// A catalogue that does not parse or lacks an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueError(pub String);

impl fmt::Display for CatalogueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CatalogueError {}

/// Both languages' catalogues, ready to render.
pub struct Catalogues {
    english: FluentBundle<FluentResource>,
    arabic: FluentBundle<FluentResource>,
}

impl fmt::Debug for Catalogues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Catalogues").finish_non_exhaustive()
    }
}

/// The CLDR cardinal plural category of a whole number.
///
/// The catalogues select on `PLURAL($n)` rather than on `$n`: the plural rules fluent uses
/// (intl_pluralrules 7.0.2, CLDR 37) drop the `% 100` of Arabic's `few` and `many`, putting 103,
/// 120 or 1024 in `other`; these are the CLDR rules as published.
pub fn plural_category(lang: Lang, n: i64) -> &'static str {
    let n = n.unsigned_abs();
    match lang {
        Lang::En if n == 1 => "one",
        Lang::En => "other",
        Lang::Ar => match (n, n % 100) {
            (0, _) => "zero",
            (1, _) => "one",
            (2, _) => "two",
            (_, 3..=10) => "few",
            (_, 11..=99) => "many",
            _ => "other",
        },
    }
}

fn plural_function(
    lang: Lang,
) -> impl for<'a> Fn(&[FluentValue<'a>], &FluentArgs) -> FluentValue<'a> + Send + Sync + 'static {
    move |positional, _named| match positional.first() {
        Some(FluentValue::Number(n)) if n.value.fract() == 0.0 => {
            FluentValue::from(plural_category(lang, n.value as i64))
        }
        _ => FluentValue::from("other"),
    }
}

fn bundle(
    lang: Lang,
    source: &str,
    isolating: bool,
) -> Result<FluentBundle<FluentResource>, CatalogueError> {
    let code = lang.pick("en", "ar");
    let id: LanguageIdentifier = code
        .parse()
        .map_err(|e| CatalogueError(format!("language {code}: {e}")))?;
    let resource = FluentResource::try_new(source.to_owned())
        .map_err(|(_, errors)| CatalogueError(format!("{code} catalogue: {errors:?}")))?;
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    bundle.set_use_isolating(isolating);
    bundle
        .add_function("PLURAL", plural_function(lang))
        .map_err(|e| CatalogueError(format!("{code} catalogue: {e:?}")))?;
    bundle
        .add_resource(resource)
        .map_err(|errors| CatalogueError(format!("{code} catalogue: {errors:?}")))?;
    Ok(bundle)
}

impl Catalogues {
    /// Loads the embedded catalogues and checks that each has every [`Key`].
    pub fn load() -> Result<Catalogues, CatalogueError> {
        let catalogues = Catalogues {
            // English text goes to clients byte for byte as documented: no isolation marks.
            english: bundle(Lang::En, ENGLISH, false)?,
            arabic: bundle(Lang::Ar, ARABIC, true)?,
        };
        let missing = catalogues.missing();
        if missing.is_empty() {
            Ok(catalogues)
        } else {
            Err(CatalogueError(format!("missing entries: {missing:?}")))
        }
    }

    /// `lang:key` for every key a catalogue lacks.
    pub fn missing(&self) -> Vec<String> {
        let mut out = Vec::new();
        for key in <Key as strum::VariantArray>::VARIANTS {
            for (lang, bundle) in [("en", &self.english), ("ar", &self.arabic)] {
                if !bundle.has_message(key.id()) {
                    out.push(format!("{lang}:{}", key.id()));
                }
            }
        }
        out
    }

    /// The message names a catalogue defines, for tests that compare the two.
    pub fn entries(source: &str) -> Vec<String> {
        source
            .lines()
            .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once(" = ").or_else(|| l.split_once(" =")))
            .map(|(name, _)| name.trim().to_owned())
            .collect()
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        match lang {
            Lang::En => &self.english,
            Lang::Ar => &self.arabic,
        }
    }

    /// Renders entry `id` with `args`; a missing entry renders as its id and is logged.
    fn format(&self, lang: Lang, id: &str, args: &FluentArgs<'_>) -> String {
        let bundle = self.bundle(lang);
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            tracing::error!(id, ?lang, "message catalogue entry missing");
            return id.to_owned();
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(args), &mut errors);
        if !errors.is_empty() {
            tracing::error!(
                id,
                ?lang,
                ?errors,
                "message catalogue entry rendered with errors"
            );
        }
        text.into_owned()
    }

    fn entry(&self, lang: Lang, key: Key, args: &[(&str, FluentValue<'static>)]) -> String {
        let mut fluent = FluentArgs::new();
        for (name, value) in args {
            fluent.set(*name, value.clone());
        }
        self.format(lang, key.id(), &fluent)
    }

    /// A field's path in words: English keeps the path (`med_docs[1].url`), Arabic explains each
    /// part (`رابط المستند (العنصر 2 في المستندات الطبية)`).
    fn field(&self, lang: Lang, path: &str) -> String {
        let name = |n: &str| {
            self.entry(
                lang,
                Key::FieldName,
                &[("value", FluentValue::from(n.to_owned()))],
            )
        };
        match parse_path(path) {
            Some(PathShape::Plain(n)) => name(n),
            Some(PathShape::Item { list, index, leaf }) => self.entry(
                lang,
                Key::FieldInItem,
                &[
                    ("path", FluentValue::from(path.to_owned())),
                    ("list", FluentValue::from(name(list))),
                    ("n", FluentValue::from(index + 1)),
                    (
                        "leaf",
                        FluentValue::from(leaf.map(name).unwrap_or_default()),
                    ),
                ],
            ),
            None => path.to_owned(),
        }
    }

    fn choices(&self, lang: Lang, choices: &[String]) -> String {
        match choices {
            [] => String::new(),
            [only] => only.clone(),
            [init @ .., last] => {
                let separator = self.entry(lang, Key::ListSeparator, &[]);
                let or = self.entry(lang, Key::ListOr, &[]);
                format!("{}{or}{last}", init.join(&separator))
            }
        }
    }

    fn value(&self, lang: Lang, arg: &Arg) -> FluentValue<'static> {
        match arg {
            Arg::Str(s) => FluentValue::from(s.clone()),
            Arg::Num(n) => FluentValue::from(*n),
            Arg::Field(path) => FluentValue::from(self.field(lang, path)),
            Arg::Choices(c) => FluentValue::from(self.choices(lang, c)),
            Arg::Items(items) => {
                FluentValue::from(items.join(&self.entry(lang, Key::ListSeparator, &[])))
            }
            Arg::Localized { en, ar } => FluentValue::from(lang.pick(en, ar).to_owned()),
            Arg::Text(text) => FluentValue::from(self.translate(lang, text)),
        }
    }
}

/// The shapes of field path the catalogues explain: `name` and `list[i].leaf` (or `list[i]`).
enum PathShape<'a> {
    Plain(&'a str),
    Item {
        list: &'a str,
        index: i64,
        leaf: Option<&'a str>,
    },
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn parse_path(path: &str) -> Option<PathShape<'_>> {
    if is_name(path) {
        return Some(PathShape::Plain(path));
    }
    let (list, rest) = path.split_once('[')?;
    let (index, rest) = rest.split_once(']')?;
    let index: i64 = index.parse().ok()?;
    let leaf = match rest {
        "" => None,
        _ => Some(rest.strip_prefix('.').filter(|l| is_name(l))?),
    };
    is_name(list).then_some(PathShape::Item { list, index, leaf })
}

impl Translator for Catalogues {
    fn translate(&self, lang: Lang, text: &Text) -> String {
        let mut args = FluentArgs::new();
        for (name, arg) in text.args() {
            args.set(*name, self.value(lang, arg));
        }
        self.format(lang, text.key().id(), &args)
    }
}

#[cfg(test)]
mod tests;
