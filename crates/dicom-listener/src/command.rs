//! DIMSE command sets: read from the bytes a peer sent, written for the responses.
//!
//! Command sets are always implicit VR little endian with only group 0000 elements, no
//! sequences: a reader of its own (rather than `dicom-object`'s parser, which allocates an
//! element's declared length before reading it) checks every length against the bytes there
//! are, so a hostile command costs nothing.

use std::collections::BTreeMap;

/// (0000,0100) values.
pub(crate) mod field {
    pub const C_STORE_RQ: u16 = 0x0001;
    pub const C_FIND_RQ: u16 = 0x0020;
    pub const C_ECHO_RQ: u16 = 0x0030;
    pub const C_CANCEL_RQ: u16 = 0x0FFF;
    /// A response's command field is its request's with this bit set.
    pub const RESPONSE: u16 = 0x8000;
}

/// (0000,0900) values the listener answers with.
pub(crate) mod status {
    pub const SUCCESS: u16 = 0x0000;
    pub const PENDING: u16 = 0xFF00;
    pub const CANCEL: u16 = 0xFE00;
    pub const OUT_OF_RESOURCES: u16 = 0xA700;
    pub const IDENTIFIER_DOES_NOT_MATCH: u16 = 0xA900;
    pub const CANNOT_UNDERSTAND: u16 = 0xC000;
    pub const PROCESSING_FAILURE: u16 = 0x0110;
    pub const UNRECOGNIZED_OPERATION: u16 = 0x0211;
}

const AFFECTED_SOP_CLASS: u16 = 0x0002;
const COMMAND_FIELD: u16 = 0x0100;
const MESSAGE_ID: u16 = 0x0110;
const RESPONDED_TO: u16 = 0x0120;
const DATA_SET_TYPE: u16 = 0x0800;
const STATUS: u16 = 0x0900;
const ERROR_COMMENT: u16 = 0x0902;
const AFFECTED_SOP_INSTANCE: u16 = 0x1000;
/// (0000,0800) when no data set follows.
const NO_DATA_SET: u16 = 0x0101;

/// The parts of a request the listener acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Command {
    pub field: u16,
    /// (0000,0110); absent in a C-CANCEL.
    pub message_id: Option<u16>,
    /// (0000,0120), what a C-CANCEL names.
    pub responding_to: Option<u16>,
    pub sop_class: String,
    pub sop_instance: String,
    pub has_data_set: bool,
}

/// Reads a command set, or says why it is not one.
pub(crate) fn parse(bytes: &[u8]) -> Result<Command, String> {
    let mut values: BTreeMap<u16, &[u8]> = BTreeMap::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let header: [u8; 8] = rest
            .get(..8)
            .and_then(|h| h.try_into().ok())
            .ok_or("command set cut inside an element header")?;
        let group = u16::from_le_bytes([header[0], header[1]]);
        let element = u16::from_le_bytes([header[2], header[3]]);
        let len = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        if group != 0 {
            return Err(format!(
                "element ({group:04X},{element:04X}) in a command set"
            ));
        }
        let len = usize::try_from(len).map_err(|_| "element length out of range")?;
        let body = &rest[8..];
        if len > body.len() {
            return Err(format!(
                "element (0000,{element:04X}) longer than the command"
            ));
        }
        let (value, tail) = body.split_at(len);
        values.insert(element, value);
        rest = tail;
    }
    let us = |element: u16| -> Result<Option<u16>, String> {
        match values.get(&element) {
            None => Ok(None),
            Some(&&[a, b]) => Ok(Some(u16::from_le_bytes([a, b]))),
            Some(_) => Err(format!("(0000,{element:04X}) is not a US value")),
        }
    };
    let text = |element: u16| -> String {
        values
            .get(&element)
            .map(|v| {
                String::from_utf8_lossy(v)
                    .trim_matches(['\0', ' '])
                    .to_owned()
            })
            .unwrap_or_default()
    };
    let field = us(COMMAND_FIELD)?.ok_or("no command field (0000,0100)")?;
    let data_set_type = us(DATA_SET_TYPE)?.ok_or("no command data set type (0000,0800)")?;
    Ok(Command {
        field,
        message_id: us(MESSAGE_ID)?,
        responding_to: us(RESPONDED_TO)?,
        sop_class: text(AFFECTED_SOP_CLASS),
        sop_instance: text(AFFECTED_SOP_INSTANCE),
        has_data_set: data_set_type != NO_DATA_SET,
    })
}

/// A response command set.
#[derive(Debug, Clone)]
pub(crate) struct Response<'a> {
    pub request: &'a Command,
    pub status: u16,
    pub has_data_set: bool,
    pub comment: Option<&'a str>,
}

impl Response<'_> {
    /// The command set's bytes, implicit VR little endian, group length first.
    pub fn encode(&self) -> Vec<u8> {
        let mut body = Vec::with_capacity(160);
        let request = self.request;
        if !request.sop_class.is_empty() {
            put(
                &mut body,
                AFFECTED_SOP_CLASS,
                &padded(&request.sop_class, 0),
            );
        }
        let response_field = request.field | field::RESPONSE;
        put(&mut body, COMMAND_FIELD, &response_field.to_le_bytes());
        put(
            &mut body,
            RESPONDED_TO,
            &request.message_id.unwrap_or_default().to_le_bytes(),
        );
        let data_set_type = if self.has_data_set {
            0x0000
        } else {
            NO_DATA_SET
        };
        put(&mut body, DATA_SET_TYPE, &data_set_type.to_le_bytes());
        put(&mut body, STATUS, &self.status.to_le_bytes());
        if let Some(comment) = self.comment {
            put(
                &mut body,
                ERROR_COMMENT,
                &padded(&comment_text(comment), b' '),
            );
        }
        if request.field == field::C_STORE_RQ && !request.sop_instance.is_empty() {
            put(
                &mut body,
                AFFECTED_SOP_INSTANCE,
                &padded(&request.sop_instance, 0),
            );
        }
        let mut out = Vec::with_capacity(body.len() + 12);
        let body_len = u32::try_from(body.len()).unwrap_or(u32::MAX);
        put(&mut out, 0x0000, &body_len.to_le_bytes());
        out.extend_from_slice(&body);
        out
    }
}

fn put(out: &mut Vec<u8>, element: u16, value: &[u8]) {
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&element.to_le_bytes());
    let len = u32::try_from(value.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(value);
}

/// A text value padded to an even length (UIDs with NUL, text with a space).
fn padded(text: &str, pad: u8) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    if bytes.len() % 2 == 1 {
        bytes.push(pad);
    }
    bytes
}

/// An Error Comment is LO: 64 characters of the default repertoire.
fn comment_text(comment: &str) -> String {
    comment
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                '?'
            }
        })
        .filter(|c| *c != '\\')
        .take(64)
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn echo() -> Command {
        Command {
            field: field::C_ECHO_RQ,
            message_id: Some(7),
            responding_to: None,
            sop_class: "1.2.840.10008.1.1".into(),
            sop_instance: String::new(),
            has_data_set: false,
        }
    }

    #[test]
    fn a_response_reads_back_as_a_command_set() {
        let request = echo();
        let bytes = Response {
            request: &request,
            status: status::SUCCESS,
            has_data_set: false,
            comment: Some("ünïcode \\ and a comment far longer than sixty-four characters, cut"),
        }
        .encode();
        let read = parse(&bytes).unwrap();
        assert_eq!(read.field, 0x8030);
        assert_eq!(read.responding_to, Some(7));
        assert_eq!(read.sop_class, "1.2.840.10008.1.1");
        assert!(!read.has_data_set);
        assert_eq!(bytes.len() % 2, 0);
    }

    #[test]
    fn hostile_command_sets_are_refused_not_trusted() {
        let request = echo();
        let good = Response {
            request: &request,
            status: 0,
            has_data_set: false,
            comment: None,
        }
        .encode();
        for cut in 0..good.len() {
            // Any prefix either parses (cut between elements) or is refused; none panics.
            let _ = parse(&good[..cut]);
        }
        let mut huge = vec![0, 0, 0x00, 0x01, 0xFF, 0xFF, 0xFF, 0xFF];
        huge.extend_from_slice(&[1, 0]);
        assert!(parse(&huge).is_err());
        assert!(parse(&[8, 0, 0x10, 0, 2, 0, 0, 0, 1, 0]).is_err());
        assert!(parse(&[]).is_err());
        let no_field = [0, 0, 0x10, 0x01, 2, 0, 0, 0, 1, 0];
        assert!(parse(&no_field).is_err());
    }
}
