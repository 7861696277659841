//! What the viewer's own pages say: the sign-in and signed-out pages (in the caller's language) and
//! the configuration OHIF reads, which points it at this server's `/dicomweb`.

use domain::kernel::lang::Lang;
use domain::kernel::text::{Key, Text, Translator, escape_html as escape};

/// The language of a browser page: `?lang=ar`, else the first language of `Accept-Language`.
pub(crate) fn page_lang(query: &str, accept_language: Option<&str>) -> Lang {
    let asked = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("lang="))
        .or_else(|| {
            accept_language
                .and_then(|h| h.split(',').next())
                .and_then(|first| first.split(['-', ';']).next())
        });
    Lang::from_header(asked.map(str::trim))
}

/// What a page is for.
pub(crate) enum Page<'a> {
    /// The sign-in form; `notice` is why the last attempt failed; `next` the page to open after.
    SignIn {
        notice: Option<String>,
        next: &'a str,
    },
    /// Signed out, with a link to sign in again.
    SignedOut,
}

/// A whole HTML page, self-contained (no outside resource), right to left in Arabic.
pub(crate) fn render(page: &Page<'_>, lang: Lang, translator: &dyn Translator) -> String {
    let say = |key: Key| escape(&translator.translate(lang, &Text::new(key)));
    let (code, dir) = match lang {
        Lang::En => ("en", "ltr"),
        Lang::Ar => ("ar", "rtl"),
    };
    let body = match page {
        Page::SignIn { notice, next } => {
            let notice = notice
                .as_deref()
                .map(|n| format!("<p class=\"notice\" role=\"alert\">{}</p>", escape(n)))
                .unwrap_or_default();
            format!(
                "<h1>{title}</h1>{notice}\
                 <form method=\"post\" action=\"/viewer/sign-in\">\
                 <input type=\"hidden\" name=\"next\" value=\"{next}\">\
                 <label>{user}<input name=\"username\" autocomplete=\"username\" required autofocus></label>\
                 <label>{pass}<input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>\
                 <button type=\"submit\">{submit}</button></form>",
                title = say(Key::ViewerTitle),
                next = escape(next),
                user = say(Key::ViewerUsername),
                pass = say(Key::ViewerPassword),
                submit = say(Key::ViewerSignIn),
            )
        }
        Page::SignedOut => format!(
            "<h1>{}</h1><p><a href=\"/viewer/sign-in\">{}</a></p>",
            say(Key::ViewerSignedOut),
            say(Key::ViewerSignIn)
        ),
    };
    format!(
        "<!doctype html><html lang=\"{code}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <link rel=\"icon\" href=\"/viewer/assets/favicon.ico\">\
         <title>{title}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>",
        title = say(Key::ViewerTitle),
    )
}

const STYLE: &str = "body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;\
background:#0b1a33;color:#e6edf7;font:16px system-ui,sans-serif}main{background:#14284d;padding:2rem;\
border-radius:8px;width:min(22rem,90vw)}h1{font-size:1.3rem;margin:0 0 1rem}label{display:block;margin:.8rem 0}\
input{display:block;width:100%;box-sizing:border-box;margin-top:.3rem;padding:.5rem;border-radius:4px;\
border:1px solid #5a7bb5;background:#0b1a33;color:inherit}button{margin-top:1rem;width:100%;padding:.6rem;\
border:0;border-radius:4px;background:#5acce6;color:#0b1a33;font-weight:600;cursor:pointer}\
.notice{background:#5c1f28;padding:.6rem;border-radius:4px}a{color:#5acce6}";

/// OHIF's configuration: one DICOMweb data source, this server's `/dicomweb` on the page's own
/// origin (so no CORS), pixels as frames (`wadors`) for images and thumbnails alike, and a
/// refused token (401) back to the sign-in page.
pub(crate) fn app_config(source_name: &str) -> String {
    let name = serde_json::to_string(source_name).unwrap_or_else(|_| "\"DICOMweb\"".to_owned());
    format!(
        r#"window.config = {{
  routerBasename: '/viewer',
  extensions: [],
  modes: [],
  customizationService: {{}},
  showStudyList: true,
  maxNumberOfWebWorkers: 3,
  showWarningMessageForCrossOrigin: false,
  showCPUFallbackMessage: true,
  showLoadingIndicator: true,
  strictZSpacingForVolumeViewport: true,
  investigationalUseDialog: {{ option: 'never' }},
  defaultDataSourceName: 'medcare',
  dataSources: [
    {{
      namespace: '@ohif/extension-default.dataSourcesModule.dicomweb',
      sourceName: 'medcare',
      configuration: {{
        friendlyName: {name},
        name: 'medcare',
        wadoUriRoot: window.location.origin + '/dicomweb',
        qidoRoot: window.location.origin + '/dicomweb',
        wadoRoot: window.location.origin + '/dicomweb',
        qidoSupportsIncludeField: true,
        supportsReject: false,
        imageRendering: 'wadors',
        thumbnailRendering: 'wadors',
        enableStudyLazyLoad: true,
        supportsFuzzyMatching: false,
        supportsWildcard: true,
        omitQuotationForMultipartRequest: true,
        bulkDataURI: {{ enabled: true, relativeResolution: 'studies' }},
      }},
    }},
  ],
  httpErrorHandler: error => {{
    if (error && error.status === 401) {{
      window.location.assign('/viewer/sign-in?next=' + encodeURIComponent(window.location.pathname + window.location.search));
    }}
  }},
}};
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_language_follows_the_query_then_the_browser() {
        assert_eq!(page_lang("lang=ar", Some("en-GB")), Lang::Ar);
        assert_eq!(page_lang("", Some("ar-SA,en;q=0.8")), Lang::Ar);
        assert_eq!(page_lang("", Some("en-US,ar;q=0.5")), Lang::En);
        assert_eq!(page_lang("", None), Lang::En);
    }
}
