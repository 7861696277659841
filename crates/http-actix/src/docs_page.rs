//! `/docs`: the OpenAPI document rendered as one self-contained HTML page.
//!
//! Rendered on the server, with no script or stylesheet from elsewhere, so that it works on a
//! hospital network without internet access.

use std::fmt::Write;

use serde_json::Value;

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A short type description of a schema, linking `$ref`s to their component.
fn type_of(schema: &Value) -> String {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or(r);
        return format!("<a href=\"#schema-{0}\">{0}</a>", esc(name));
    }
    if let Some(all) = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))
        .and_then(Value::as_array)
    {
        return all.iter().map(type_of).collect::<Vec<_>>().join(" | ");
    }
    let kind = match schema.get("type") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" | "),
        _ => "object".to_owned(),
    };
    if kind.starts_with("array")
        && let Some(items) = schema.get("items")
    {
        return format!("array of {}", type_of(items));
    }
    match schema.get("format").and_then(Value::as_str) {
        Some(format) => format!("{} ({})", esc(&kind), esc(format)),
        None => esc(&kind),
    }
}

fn properties_table(out: &mut String, schema: &Value) {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        let _ = write!(out, "<p class=\"type\">{}</p>", type_of(schema));
        return;
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    out.push_str("<table><tr><th>field</th><th>type</th><th>required</th><th>notes</th></tr>");
    for (name, prop) in props {
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(name),
            type_of(prop),
            if required.contains(&name.as_str()) {
                "yes"
            } else {
                "no"
            },
            esc(str_of(prop, "description"))
        );
    }
    out.push_str("</table>");
}

/// `code` spans of the documentation's Markdown, the only markup it uses in prose.
fn inline(text: &str) -> String {
    esc(text)
        .split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{part}</code>")
            } else {
                part.to_owned()
            }
        })
        .collect()
}

fn operation(out: &mut String, path: &str, method: &str, op: &Value) {
    let _ = write!(
        out,
        "<div class=\"op\" id=\"{method}-{anchor}\"><span class=\"m {method}\">{method}</span> \
<code>{path}</code><p>{summary}</p>",
        method = esc(method),
        anchor = esc(&path.replace('/', "-")),
        path = esc(path),
        summary = inline(str_of(op, "summary")),
    );
    if op.get("security").is_some() {
        out.push_str("<p>Needs a token.</p>");
    }
    if let Some(params) = op.get("parameters").and_then(Value::as_array) {
        for p in params {
            let _ = write!(
                out,
                "<p>Header <code>{}</code>: {}</p>",
                esc(str_of(p, "name")),
                inline(str_of(p, "description"))
            );
        }
    }
    if let Some(schema) = op.pointer("/requestBody/content/application~1json/schema") {
        let _ = write!(out, "<p>Body: {}</p>", type_of(schema));
    }
    if let Some(responses) = op.get("responses").and_then(Value::as_object) {
        out.push_str("<table><tr><th>status</th><th>body</th><th>notes</th></tr>");
        for (status, response) in responses {
            let body = response
                .pointer("/content/application~1json/schema")
                .map(type_of)
                .unwrap_or_default();
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(status),
                body,
                inline(str_of(response, "description"))
            );
        }
        out.push_str("</table>");
    }
    out.push_str("</div>");
}

/// Renders the page from the OpenAPI document.
pub fn render(doc: &Value) -> String {
    let info = doc.get("info").cloned().unwrap_or(Value::Null);
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>\
body{{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2733}}\
h2{{border-bottom:1px solid #d0d7de;padding-bottom:.3rem;margin-top:2.5rem}}\
.op{{border:1px solid #d0d7de;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}}\
.m{{display:inline-block;min-width:4rem;font-weight:700;text-transform:uppercase}}\
.post{{color:#0b6e4f}}.get{{color:#0550ae}}table{{border-collapse:collapse;width:100%;margin:.4rem 0}}\
td,th{{border:1px solid #d0d7de;padding:.2rem .5rem;text-align:left;vertical-align:top}}code{{font-size:90%}}\
</style></head><body><h1>{title} <small>{version}</small></h1><p>{desc}</p>\
<p>Machine-readable: <a href=\"/openapi.json\">/openapi.json</a> (OpenAPI {oas}).</p>",
        title = esc(str_of(&info, "title")),
        version = esc(str_of(&info, "version")),
        desc = inline(str_of(&info, "description")),
        oas = esc(str_of(doc, "openapi")),
    );
    // Routes grouped by tag, in the document's tag order (patients first), each group by path.
    let tags: Vec<(&str, &str)> = doc
        .get("tags")
        .and_then(Value::as_array)
        .map(|t| {
            t.iter()
                .map(|t| (str_of(t, "name"), str_of(t, "description")))
                .collect()
        })
        .unwrap_or_default();
    let empty = serde_json::Map::new();
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    for (tag, description) in tags {
        let _ = write!(out, "<h2>{}</h2><p>{}</p>", esc(tag), inline(description));
        for (path, item) in paths {
            let Some(ops) = item.as_object() else {
                continue;
            };
            for (method, op) in ops {
                let tagged = op
                    .get("tags")
                    .and_then(Value::as_array)
                    .is_some_and(|t| t.iter().any(|t| t.as_str() == Some(tag)));
                if tagged {
                    operation(&mut out, path, method, op);
                }
            }
        }
    }
    out.push_str("<h2>Schemas</h2>");
    if let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in schemas {
            let _ = write!(
                out,
                "<h3 id=\"schema-{0}\">{0}</h3><p>{1}</p>",
                esc(name),
                esc(str_of(schema, "description"))
            );
            properties_table(&mut out, schema);
        }
    }
    out.push_str("</body></html>");
    out
}
