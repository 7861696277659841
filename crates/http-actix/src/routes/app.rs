//! `/app`: patients (audience `snr_usr`), envelope A.

use actix_web::{HttpRequest, HttpResponse};
use domain::kernel::text::Key;
use domain::second_opinion::copy;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::body::JsonBody;
use crate::envelope::{self, EnvelopeA};
use crate::error::ApiError;
use crate::extract::{Authenticated, state};
use crate::i18n::{lang, say};
use crate::money::Price;
use crate::surface::App;

use super::wire::{Lengths, NoFields};

type Result<T = HttpResponse> = std::result::Result<T, ApiError<App>>;

#[derive(Debug, Serialize, ToSchema)]
pub struct HowData {
    /// The language used: 0 English, 1 Arabic.
    #[schema(maximum = 1)]
    pub lang: u8,
    pub title: String,
    pub subtitle: String,
    pub steps: Vec<HowStep>,
    pub cta: HowCta,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HowStep {
    pub seq: u8,
    pub title: String,
    pub icon: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HowCta {
    pub submit_now: String,
}

/// "How it works" copy, in the language of the `lang` header.
#[utoipa::path(post, path = "/app/how", tag = "app", request_body = NoFields,
    params(("lang" = Option<String>, Header, description = "1 or ar: Arabic; anything else: English")),
    responses((status = 200, body = EnvelopeA<HowData>, description = "The screen's copy")),
    security(("token" = [])))]
pub async fn how(user: Authenticated<App>, body: JsonBody<NoFields, App>) -> Result {
    user.check(body.parse()).await?;
    user.confirm().await?;
    let how = copy::how_it_works();
    Ok(envelope::a_ok(
        Key::Ok,
        HowData {
            lang: lang().code(),
            title: say(&how.title),
            subtitle: say(&how.subtitle),
            steps: how
                .steps
                .into_iter()
                .map(|s| HowStep {
                    seq: s.seq,
                    title: say(&s.title),
                    icon: s.icon.to_owned(),
                })
                .collect(),
            cta: HowCta {
                submit_now: say(&how.submit_now),
            },
        },
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewTypesData {
    /// The language used: 0 English, 1 Arabic.
    #[schema(maximum = 1)]
    pub lang: u8,
    pub title: String,
    pub subtitle: String,
    /// Active review types, newest first, at most 100.
    pub items: Vec<ReviewTypeItem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewTypeItem {
    pub rt_id: uuid::Uuid,
    pub title: String,
    pub description: String,
    /// Localized, from the minimum and maximum review days: "8 - 12 days".
    pub duration: String,
    pub doctor_count: i32,
    /// In major units of the review type's currency, e.g. 900 or 900.5.
    #[schema(value_type = f64, example = 900, minimum = 0, maximum = 1000000)]
    pub price: Price,
    /// From the catalogue, or "document" when unset.
    pub icon: String,
}

/// Active review types for the picker, localized.
#[utoipa::path(post, path = "/app/review-types", tag = "app",
    params(("lang" = Option<String>, Header, description = "1 or ar: Arabic; anything else: English")),
    request_body = NoFields,
    responses((status = 200, body = EnvelopeA<ReviewTypesData>, description = "The picker")),
    security(("token" = [])))]
pub async fn review_types(
    req: HttpRequest,
    user: Authenticated<App>,
    body: JsonBody<NoFields, App>,
) -> Result {
    user.check(body.parse()).await?;
    let lang = lang();
    let state = state(&req)?;
    // Memory answers once the catalogue is loaded and known fresh: then the request needs no trip
    // to a blocking thread at all.
    let cards = match state.catalogue.review_type_picker_in_memory(lang) {
        Some(cards) => {
            user.confirm().await?;
            cards
        }
        None => {
            user.run(move |_| state.catalogue.review_type_picker(lang))
                .await?
        }
    };
    let (title, subtitle) = copy::review_type_screen();
    Ok(envelope::a_ok(
        Key::Ok,
        ReviewTypesData {
            lang: lang.code(),
            title: say(&title),
            subtitle: say(&subtitle),
            items: cards
                .into_iter()
                .map(|c| ReviewTypeItem {
                    rt_id: c.rt_id.as_uuid(),
                    title: c.title,
                    description: c.description,
                    duration: say(&c.duration),
                    doctor_count: c.doctor_count,
                    price: Price(c.price),
                    icon: c.icon,
                })
                .collect(),
        },
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiseaseCategoriesRequest {
    /// Optional filter: a part of the English or Arabic speciality, any case; trimmed, blank or null
    /// is no filter. At most 100 characters.
    #[schema(max_length = 100, pattern = r"^[^\u0000]*$")]
    pub q: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DiseaseCategoriesData {
    /// The language used: 0 English, 1 Arabic.
    #[schema(maximum = 1)]
    pub lang: u8,
    /// Active categories, newest first, at most 300.
    pub items: Vec<KeyValue>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyValue {
    /// The disease category id (`dc_id`).
    pub key: uuid::Uuid,
    /// The localized speciality.
    pub value: String,
}

/// Active disease categories for the picker, localized, optionally filtered.
#[utoipa::path(post, path = "/app/disease-categories", tag = "app",
    params(("lang" = Option<String>, Header, description = "1 or ar: Arabic; anything else: English")),
    request_body = DiseaseCategoriesRequest,
    responses((status = 200, body = EnvelopeA<DiseaseCategoriesData>, description = "The picker")),
    security(("token" = [])))]
pub async fn disease_categories(
    req: HttpRequest,
    user: Authenticated<App>,
    body: JsonBody<DiseaseCategoriesRequest, App>,
) -> Result {
    let body = user.check(body.parse()).await?;
    let lengths = Lengths::new().at_most("q", body.q.as_deref(), 100);
    user.check(lengths.finish()).await?;
    let lang = lang();
    let state = state(&req)?;
    let items = user
        .run(move |_| {
            state
                .catalogue
                .disease_category_picker(lang, body.q.as_deref())
        })
        .await?;
    Ok(envelope::a_ok(
        Key::Ok,
        DiseaseCategoriesData {
            lang: lang.code(),
            items: items
                .into_iter()
                .map(|(key, value)| KeyValue {
                    key: key.as_uuid(),
                    value,
                })
                .collect(),
        },
    ))
}
