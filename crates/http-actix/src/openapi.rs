//! The OpenAPI 3.1 document, built from the route list: every served route, and only those.
//!
//! Each handler's `#[utoipa::path]` names what only it can answer (its success, its 404 and 409, a
//! 400 with a reason of its own); [`common_errors`] adds what every secured route can answer, from
//! the token check and the body extractor. So the document lists every status an operation gives,
//! which `.ci/schemathesis.sh` checks against the running server.

use std::collections::BTreeMap;

use actix_web::http::Method;

use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{Operation, PathItem, Paths};
use utoipa::openapi::request_body::RequestBody;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Required};
use utoipa::{Modify, OpenApi};

use crate::routes;
use crate::surface::EnvelopeKind;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Medical care platform API",
        description = "Second opinion (`/app` patients, `/pro` doctors and coordinators, `/admin` administrators), \
clinic (`/api`) and eHealth declarations (`/api/v3/declaration_requests`). Every surface takes an encrypted token in \
`Authorization` (bare hex or `Bearer <hex>`) whose audience names the surface. Second-opinion routes answer in \
envelope A: `{\"status\": 1000, \"message\", \"data\"}` with 1001 for server faults, 1002 for client errors and \
1003 for authentication or permission errors. The `lang` header (`1`/`ar` Arabic, anything else English) \
selects the language of user-facing text."
    ),
    components(schemas(
        crate::envelope::ErrorA,
        crate::envelope::ErrorB,
        crate::envelope::ErrorC,
    )),
    modifiers(&TokenScheme),
    tags(
        (name = "app", description = "Patients (audience snr_usr)"),
        (name = "admin", description = "Second-opinion administrators (audience snr_admin)"),
        (name = "health", description = "Liveness and readiness"),
        (name = "ehealth", description = "eHealth declaration requests (audience ehealth, envelope C, scopes)"),
        (name = "clinic", description = "The clinic: staff, patients, appointments, reports, the audit log and the event stream (audience clinic, envelope B, roles)"),
    )
)]
struct ApiDoc;

struct TokenScheme;

impl Modify for TokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "Encrypted token: lowercase hex of key id, nonce and XChaCha20-Poly1305 ciphertext of an \
HS256 JWT (see docs/auth.md). `Bearer ` prefix optional.",
            ))),
        );
    }
}

/// The OpenAPI document of every route.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let defs = routes::all();
    let mut collected = Vec::new();
    for def in &defs {
        def.schemas(&mut collected);
    }
    let schemas: BTreeMap<String, RefOr<Schema>> = collected.into_iter().collect();
    let mut paths = Paths::new();
    for mut def in defs {
        if def.secured() {
            common_errors(&mut def.operation, def.envelope);
        }
        if let Some(body) = def.operation.request_body.as_mut() {
            mark_optional_bodies(body, &schemas);
        }
        def.operation.operation_id = Some(operation_id(&def.method, &def.path));
        add_links(&mut def.operation, &def.path);
        let method = routes::http_method(&def.method);
        let item = PathItem::new(method, def.operation);
        match paths.paths.get_mut(&def.path) {
            Some(existing) => existing.merge_operations(item),
            None => {
                paths.paths.insert(def.path, item);
            }
        }
    }
    doc.paths = paths;
    let components = doc.components.get_or_insert_with(Default::default);
    components.schemas.extend(schemas);
    doc
}

/// An operation's id, from its method and path, so unique whatever its handler is called:
/// `app.save-review-case` for `POST /app/save-review-case`, `get.healthz` for `GET /healthz`.
fn operation_id(method: &Method, path: &str) -> String {
    let name = path
        .trim_start_matches('/')
        .replace('/', ".")
        .replace(['{', '}'], "");
    if *method == Method::POST {
        name
    } else {
        format!("{}.{name}", method.as_str().to_ascii_lowercase())
    }
}

/// Where an id that one operation answers goes next: `(operation, JSON pointer of the id in its 200
/// answer, the body field that takes it, the operations that take it)`, each a `POST` path. Written
/// into the document as OpenAPI links, so that readers see how the operations chain and the fuzzer's
/// stateful phase follows them (create, then read, change, deactivate what was created). Only
/// answers that hold the id whenever the next call could succeed: a page of a list may be empty, but
/// the review-type picker is empty only when no case can be saved anyway.
const LINKS: &[(&str, &str, &str, &[&str])] = &[
    (
        "/app/review-types",
        "/data/items/0/rt_id",
        "rt_id",
        CASE_WRITES,
    ),
    (
        "/app/save-review-case",
        "/data/case_id",
        "case_id",
        CASE_READS,
    ),
    (
        "/app/update-review-case",
        "/data/case_id",
        "case_id",
        CASE_READS,
    ),
    (
        "/admin/create-review-type",
        "/data/rt_id",
        "rt_id",
        REVIEW_TYPE_USES,
    ),
    (
        "/admin/create-disease-category",
        "/data/dc_id",
        "dc_id",
        CATEGORY_USES,
    ),
];
const CASE_WRITES: &[&str] = &["/app/save-review-case", "/app/update-review-case"];
const CASE_READS: &[&str] = &[
    "/app/review-case-details",
    "/app/update-review-case",
    "/app/add-medical-documents",
];
const REVIEW_TYPE_USES: &[&str] = &[
    "/admin/review-type-details",
    "/admin/update-review-type",
    "/admin/activate-review-type",
    "/admin/deactivate-review-type",
];
const CATEGORY_USES: &[&str] = &[
    "/admin/disease-category-details",
    "/admin/update-disease-category",
    "/admin/activate-disease-category",
    "/admin/deactivate-disease-category",
];

/// The [`LINKS`] from the 200 answer of `operation`, served at `path`.
fn add_links(operation: &mut Operation, path: &str) {
    let Some(RefOr::T(ok)) = operation.responses.responses.get_mut("200") else {
        return;
    };
    for (_, pointer, field, targets) in LINKS.iter().filter(|(from, ..)| *from == path) {
        for target in *targets {
            let body = serde_json::json!({ *field: format!("$response.body#{pointer}") });
            // utoipa 5.5 writes `Link`'s own `operation_id` and `request_body` in snake case, which
            // no reader of OpenAPI knows; as extensions they are written under their real names.
            let fields: Extensions = [
                (
                    "operationId",
                    serde_json::json!(operation_id(&Method::POST, target)),
                ),
                ("requestBody", body),
            ]
            .into_iter()
            .collect();
            let link = LinkBuilder::new()
                .description(format!("`{field}` from this answer"))
                .extensions(Some(fields))
                .build();
            let name = target.rsplit('/').next().unwrap_or(target);
            ok.links.insert(format!("{name}.{field}"), link.into());
        }
    }
}

/// An answer in the error shape of `envelope`.
fn error_in(envelope: EnvelopeKind, description: &str) -> RefOr<Response> {
    let schema = match envelope {
        EnvelopeKind::A => "ErrorA",
        EnvelopeKind::B => "ErrorB",
        EnvelopeKind::C => "ErrorC",
    };
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name(schema)))
        .build();
    ResponseBuilder::new()
        .description(description)
        .content("application/json", content)
        .build()
        .into()
}

/// The answers every secured route can give before or around its own work, added where the handler
/// did not describe them itself: the body extractor's 400, 413 and 415, the token's 401, and the
/// server's faults.
fn common_errors(operation: &mut Operation, envelope: EnvelopeKind) {
    let mut common = vec![
        (
            "401",
            "No token, or one that is malformed, expired, revoked or for another surface. Checked \
first: a caller without a valid token reads this whatever it sent",
        ),
        (
            "500",
            "A fault on the server's side (its detail is only in the log, under the request's id)",
        ),
        (
            "503",
            "The database cannot be reached right now; retrying later may work",
        ),
    ];
    if operation.request_body.is_some() {
        common.extend([
            (
                "400",
                if envelope == EnvelopeKind::C {
                    "The body is not a JSON object (malformed JSON, or another JSON value)"
                } else {
                    "The body is not a JSON object of the documented shape (malformed JSON, a field \
missing or of the wrong type, an unknown field), or a field breaks a documented rule: the message names \
every wrong field"
                },
            ),
            ("413", "The body is larger than 64 KiB"),
            (
                "422",
                "The body does not follow its schema (eHealth surface): one `invalid` entry per \
failing property, unknown properties included",
            ),
            (
                "415",
                "A non-empty body with a `Content-Type` other than `application/json` (or another \
`application/*+json`)",
            ),
        ]);
    }
    for (status, description) in common {
        // Only the eHealth convention answers schema failures with 422; elsewhere they are 400.
        if status == "422" && envelope != EnvelopeKind::C {
            continue;
        }
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| error_in(envelope, description));
    }
}

/// The body extractor reads no body as `{}`: a body whose schema (a request struct) requires no
/// property may be left out. (A body described inline is left as its handler says.)
fn mark_optional_bodies(body: &mut RequestBody, schemas: &BTreeMap<String, RefOr<Schema>>) {
    let requires_nothing = body.content.values().all(|content| {
        let schema = match &content.schema {
            Some(RefOr::Ref(r)) => r
                .ref_location
                .rsplit('/')
                .next()
                .and_then(|name| schemas.get(name)),
            _ => None,
        };
        matches!(schema, Some(RefOr::T(Schema::Object(o))) if o.required.is_empty())
    });
    if requires_nothing {
        body.required = Some(Required::False);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::routes::wire::WS;

    fn document() -> Value {
        serde_json::to_value(api_doc()).unwrap()
    }

    /// `(method and path, operation)` for every operation.
    fn operations(doc: &Value) -> Vec<(String, &Value)> {
        let mut out = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                out.push((format!("{} {path}", method.to_uppercase()), operation));
            }
        }
        out
    }

    /// The component a `$ref` names.
    fn resolve<'d>(doc: &'d Value, schema: &'d Value) -> &'d Value {
        match schema["$ref"].as_str() {
            Some(r) => &doc["components"]["schemas"][r.rsplit('/').next().unwrap()],
            None => schema,
        }
    }

    fn body_schema<'d>(doc: &'d Value, operation: &'d Value) -> Option<&'d Value> {
        // JSON bodies only: a multipart upload's parts are files, not properties.
        let schema = operation.get("requestBody")?["content"]
            .get("application/json")?
            .get("schema")?;
        Some(resolve(doc, schema))
    }

    #[test]
    fn every_secured_operation_documents_the_errors_it_can_give() {
        let doc = document();
        let mut count = 0;
        for (name, operation) in operations(&doc) {
            if !secured(operation) {
                continue;
            }
            count += 1;
            let ehealth = name.contains(" /api/v3/");
            // The clinic (envelope B) answers a creation with 201, anything else with 200.
            let clinic = !ehealth && (name.contains(" /api/") || name.contains(" /dicomweb/"));
            let created = name.starts_with("POST /api/v3/")
                || name.contains("/actions/approve")
                || (clinic && operation["responses"]["201"].is_object());
            let ok = &operation["responses"][if created { "201" } else { "200" }];
            // The event stream's success is the switch to WebSocket: 101, no body.
            let switches = operation["responses"]["101"].is_object();
            assert!(
                ok["content"].is_object() || (name == "GET /api/ws" && switches),
                "{name} does not document success"
            );
            let expected = if ehealth {
                "#/components/schemas/ErrorC"
            } else if clinic {
                "#/components/schemas/ErrorB"
            } else {
                "#/components/schemas/ErrorA"
            };
            let mut statuses = vec!["401", "500", "503"];
            if operation.get("requestBody").is_some() {
                statuses.extend(["400", "413", "415"]);
            }
            // Envelope A routes are all POST with a body (DECISIONS §1).
            if !ehealth && !clinic {
                assert!(operation.get("requestBody").is_some(), "{name}");
            }
            for status in statuses {
                let response = &operation["responses"][status];
                let schema = &response["content"]["application/json"]["schema"]["$ref"];
                assert_eq!(schema, expected, "{name} {status}");
                assert!(
                    response["description"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty())
                );
            }
        }
        assert!(count >= 25, "{count} secured operations");
    }

    fn secured(operation: &Value) -> bool {
        operation["security"]
            .as_array()
            .is_some_and(|s| !s.is_empty())
    }

    /// The bodies of the secured routes, which all go through the body extractor.
    #[test]
    fn bodies_refuse_unknown_fields_say_what_each_string_takes_and_may_be_left_out() {
        let doc = document();
        for (name, operation) in operations(&doc) {
            if !secured(operation) {
                continue;
            }
            let Some(schema) = body_schema(&doc, operation) else {
                continue;
            };
            // A body of one of several forms (the worklist's target) holds to the rule in each.
            let forms: Vec<&Value> = match schema["oneOf"].as_array() {
                Some(forms) => forms.iter().map(|f| resolve(&doc, f)).collect(),
                None => vec![schema],
            };
            let mut required = true;
            for form in forms {
                assert_eq!(form["additionalProperties"], false, "{name}");
                required &= form["required"].as_array().is_some_and(|r| !r.is_empty());
                check_strings(&doc, &name, form);
            }
            assert_eq!(operation["requestBody"]["required"], required, "{name}");
        }
    }

    /// Every string a body takes says what it takes: a UUID (the ids of what the platform creates), a
    /// code, or a pattern (which at least refuses the NUL character, as the body extractor does).
    fn check_strings(doc: &Value, name: &str, schema: &Value) {
        let properties = schema["properties"].as_object().into_iter().flatten();
        for (field, property) in properties {
            if let Some(items) = property.get("items") {
                check_strings(doc, name, resolve(doc, items));
            }
            let is_string = property["type"] == "string"
                || property["type"]
                    .as_array()
                    .is_some_and(|t| t.contains(&Value::from("string")));
            if !is_string {
                continue;
            }
            let pattern = property["pattern"].as_str();
            assert!(
                property["format"] == "uuid"
                    || pattern.is_some_and(|p| p.starts_with('^') && p.ends_with('$')),
                "{name} {field}: a string without a pattern"
            );
            if let Some(pattern) = pattern {
                // A negated class must leave NUL out; positive classes here never name it.
                assert!(
                    !pattern.contains("[^")
                        || pattern.contains(r"\u0000")
                        || pattern.contains(r"\x00-"),
                    "{name} {field}: {pattern} does not refuse NUL"
                );
            }
        }
    }

    #[test]
    fn operation_ids_are_unique() {
        let doc = document();
        let mut ids: Vec<&str> = operations(&doc)
            .iter()
            .map(|(_, op)| op["operationId"].as_str().unwrap())
            .collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n);
        assert!(ids.contains(&"app.save-review-case") && ids.contains(&"get.healthz"));
    }

    #[test]
    fn links_lead_to_operations_and_fields_that_exist() {
        let doc = document();
        let ops = operations(&doc);
        let by_id = |id: &str| {
            ops.iter()
                .find(|(_, op)| op["operationId"] == id)
                .map(|(_, op)| *op)
        };
        let mut links = 0;
        for (name, operation) in &ops {
            let Some(found) = operation["responses"]["200"]["links"].as_object() else {
                continue;
            };
            for (key, link) in found {
                let component_name = |c: char| c.is_ascii_alphanumeric() || "._-".contains(c);
                assert!(key.chars().all(component_name), "{name}: link {key}");
                let target = link["operationId"].as_str().unwrap();
                let target = by_id(target).unwrap_or_else(|| panic!("{name}: no {target}"));
                let schema = body_schema(&doc, target).unwrap();
                for field in link["requestBody"].as_object().unwrap().keys() {
                    assert!(schema["properties"].get(field).is_some(), "{name} {field}");
                }
                links += 1;
            }
        }
        assert_eq!(
            links,
            LINKS
                .iter()
                .map(|(.., targets)| targets.len())
                .sum::<usize>()
        );
    }

    /// The characters of a regex class body such as `\t\n \u2000-\u200a`.
    fn class_chars(class: &str) -> Vec<char> {
        let mut singles = Vec::new();
        let mut rest = class;
        while !rest.is_empty() {
            let (c, tail) = match rest.strip_prefix('\\') {
                Some(esc) => match esc.chars().next().unwrap() {
                    'u' => {
                        let code = u32::from_str_radix(&esc[1..5], 16).unwrap();
                        (char::from_u32(code).unwrap(), &esc[5..])
                    }
                    other => {
                        let c = match other {
                            't' => '\t',
                            'n' => '\n',
                            'v' => '\u{b}',
                            'f' => '\u{c}',
                            'r' => '\r',
                            _ => other,
                        };
                        (c, &esc[1..])
                    }
                },
                None => {
                    let c = rest.chars().next().unwrap();
                    (c, &rest[c.len_utf8()..])
                }
            };
            singles.push(c);
            rest = tail;
            if let Some(range) = rest.strip_prefix('-') {
                let end = class_chars(&range[..6])[0];
                let start = singles.pop().unwrap();
                singles.extend(start..=end);
                rest = &range[6..];
            }
        }
        singles
    }

    #[test]
    fn patterns_spell_out_the_whitespace_the_domain_trims() {
        let trimmed: Vec<char> = (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
            .collect();
        assert_eq!(class_chars(WS), trimmed);
        let doc = serde_json::to_string(&document()).unwrap();
        let spelled = serde_json::to_string(WS).unwrap();
        let spelled = spelled.trim_matches('"');
        assert!(doc.matches(spelled).count() >= 10);
        // Every pattern that names whitespace names all of it.
        assert_eq!(doc.matches(r"\\t\\n").count(), doc.matches(spelled).count());
    }
}
