//! The DICOM listener's and DICOMweb's settings.

use std::path::PathBuf;

use anyhow::bail;

use super::{number, var};

/// The DICOM listener's settings.
#[derive(Debug, Clone)]
pub struct DicomConfig {
    /// `None`: no listener (`DICOM_BIND_ADDR=off`).
    pub bind_addr: Option<String>,
    pub ae_title: String,
    /// `None`: any calling AE title.
    pub allowed_aes: Option<Vec<String>>,
    pub max_associations: usize,
    pub max_instance_bytes: u64,
    /// The web viewer's installed files (`VIEWER_DIR`); `None`: no `/viewer`.
    pub viewer_dir: Option<PathBuf>,
    /// Origins allowed to call `/dicomweb` from a browser (`DICOMWEB_CORS_ORIGINS`).
    pub cors_origins: Vec<String>,
}

impl Default for DicomConfig {
    fn default() -> Self {
        Self {
            bind_addr: Some("127.0.0.1:11112".to_owned()),
            ae_title: "MEDCARE".to_owned(),
            allowed_aes: None,
            max_associations: 32,
            max_instance_bytes: 1 << 30,
            viewer_dir: None,
            cors_origins: Vec::new(),
        }
    }
}

impl DicomConfig {
    pub(super) fn from_env() -> anyhow::Result<Self> {
        let d = Self::default();
        let bind_addr = match var("DICOM_BIND_ADDR") {
            Some(v) if v.eq_ignore_ascii_case("off") => None,
            Some(v) => Some(v),
            None => d.bind_addr,
        };
        let ae_title = var("DICOM_AE_TITLE").unwrap_or(d.ae_title);
        let ae_ok = |ae: &str| {
            !ae.is_empty()
                && ae.len() <= 16
                && ae.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
                && !ae.contains('\\')
        };
        if !ae_ok(&ae_title) {
            bail!("DICOM_AE_TITLE must be 1 to 16 printable ASCII characters, got {ae_title:?}");
        }
        let allowed_aes = match var("DICOM_ALLOWED_AES") {
            None => None,
            Some(list) => {
                let aes: Vec<String> = list
                    .split(',')
                    .map(|ae| ae.trim().to_owned())
                    .filter(|ae| !ae.is_empty())
                    .collect();
                if let Some(bad) = aes.iter().find(|ae| !ae_ok(ae)) {
                    bail!("DICOM_ALLOWED_AES holds {bad:?}, which is not an AE title");
                }
                Some(aes)
            }
        };
        let max_associations = number("DICOM_MAX_ASSOCIATIONS", d.max_associations)?;
        if max_associations == 0 {
            bail!("DICOM_MAX_ASSOCIATIONS must be at least 1");
        }
        let max_instance_bytes = number("DICOM_MAX_INSTANCE_BYTES", d.max_instance_bytes)?;
        if max_instance_bytes < 1024 {
            bail!("DICOM_MAX_INSTANCE_BYTES must be at least 1024");
        }
        let cors_origins: Vec<String> = var("DICOMWEB_CORS_ORIGINS")
            .unwrap_or_default()
            .split(',')
            .map(|o| o.trim().trim_end_matches('/').to_owned())
            .filter(|o| !o.is_empty())
            .collect();
        if let Some(bad) = cors_origins
            .iter()
            .find(|o| !(o.starts_with("http://") || o.starts_with("https://")) || o.contains('*'))
        {
            bail!(
                "DICOMWEB_CORS_ORIGINS holds {bad:?}: list origins such as https://viewer.example.org"
            );
        }
        Ok(Self {
            bind_addr,
            ae_title,
            allowed_aes,
            max_associations,
            max_instance_bytes,
            viewer_dir: var("VIEWER_DIR").map(PathBuf::from),
            cors_origins,
        })
    }
}
