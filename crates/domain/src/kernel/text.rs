//! What the platform says to people, before it is put into words.
//!
//! The domain never phrases a message: it says *why* (a [`Key`]) and *with what* (named [`Arg`]s: a
//! field, a limit, a status). A [`Translator`] at the edge turns a [`Text`] into English or Arabic
//! from one message catalogue per language, so that every message exists in both languages and is
//! phrased in one place.

use std::fmt;

use strum::{IntoStaticStr, VariantArray};

use super::lang::Lang;

/// Every message the platform can say. Each is an entry of the same name (kebab case) in every
/// language's catalogue; a test walks this list against the catalogues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "kebab-case")]
pub enum Key {
    // Successes.
    Ok,
    CaseSaved,
    CaseUpdated,
    DocumentsUpdated,
    ContactUpdated,
    ReviewTypeCreated,
    ReviewTypeUpdated,
    ReviewTypeActivated,
    ReviewTypeDeactivated,
    DiseaseCategoryCreated,
    DiseaseCategoryUpdated,
    DiseaseCategoryActivated,
    DiseaseCategoryDeactivated,
    DraftsProcessed,
    NotificationQueued,
    DoctorAssignedToCase,
    RequestedDocumentsUpdated,
    OpinionSaved,
    SummarySaved,
    CoordinatorAssignedToCase,
    CaseRejectedOk,
    PaymentConfirmed,
    ProviderCreated,
    ProviderUpdated,
    ProviderActivated,
    ProviderDeactivated,
    ProvidersSynced,
    EligibilityUpdated,
    DocumentsProvidedOk,

    // Not found.
    CaseNotFound,
    ReviewTypeNotFound,
    DiseaseCategoryNotFound,
    NotificationNotFound,
    NotificationNotFailed,
    ProviderNotFound,
    AssignmentNotFound,
    RequestNotFound,
    PaymentNotFound,
    DeclarationRequestNotFound,
    ActiveParentDeclarationNotFound,
    DeclarationNotFound,

    // Conflicts.
    CaseChanged,
    RecordConflict,
    ReviewTypeNameTaken,
    DiseaseCategoryNameTaken,
    TransitionRefused,
    ProviderIdTaken,
    DoctorAlreadyAssigned,
    OpinionsMissing,
    ReportNotReady,
    NotEligibleCoordinator,
    NotEligibleSpecialist,
    PaymentAmountMismatch,
    InvalidTransition,
    PatientNotVerified,
    DocumentsNotUploaded,

    // Unprocessable (the eHealth surface's 422s).
    InvalidVerificationCode,
    VerificationCodeExpired,
    MaxAttemptsExceed,
    DoctorDeclarationLimit,
    EmployeePublicKeyMissing,

    // Authentication and permission.
    AuthMissing,
    AuthMalformed,
    AuthInvalid,
    AuthWrongAudience,
    AuthExpired,
    AuthRevoked,
    RoleRequired,
    RolesRequired,
    WebhookSignature,
    NotCaseCoordinator,
    NotYourAssignment,
    InvalidScopes,

    // Validation (`field` is the field's path as the client sent it).
    InvalidUuid,
    InvalidActorId,
    InvalidRole,
    InvalidTtl,
    InvalidChoice,
    InvalidWholeNumber,
    InvalidTextLength,
    InvalidMaxLength,
    InvalidMaxItems,
    InvalidMinItems,
    InvalidDocumentsTotal,
    InvalidPageTooLarge,
    InvalidMinOne,
    InvalidEmail,
    InvalidDate,
    InactiveReviewType,
    InactiveDiseaseCategory,
    RuleLengthBetween,
    RuleLengthMax,
    RuleRange,
    RuleNotAfter,
    RuleDecimals,
    RuleCurrency,
    RuleIcon,
    RuleInvalid,
    InvalidAmount,
    InvalidItemCount,
    DuplicateInList,
    WebhookMalformed,
    VerificationCodeRequired,
    VerificationCodeNotAllowed,
    InvalidVerificationCodeFormat,
    PersonNotFound,
    PersonWithoutAuthenticationMethod,
    EmployeeNotFound,
    EmployeeStatusInvalid,
    EmployeeNotInLegalEntity,
    EmployeeNotDoctor,
    EmployeeSpecialityNotDoctor,
    SpecialityAgeMismatch,
    DivisionNotFound,
    DivisionNotInLegalEntity,
    SignedContentMismatch,
    SignatureNotVerified,
    SchemaRequired,
    SchemaAdditionalProperty,
    SchemaType,
    UploadLinkInvalid,

    // The HTTP edge: answers given before or around a handler.
    NoRoute,
    MethodNotAllowed,
    BodyTooLarge,
    BodyUnreadable,
    ContentTypeJson,
    BodyNotObject,
    MalformedJson,
    InvalidBody,
    UnknownField,
    MissingField,
    Unavailable,
    Internal,
    ValidationSeparator,
    ListSeparator,
    ListOr,
    FieldInItem,

    // Names of things, selected by a `value` argument.
    FieldName,
    CaseStatusName,
    RoleName,
    ActionName,
    TimelineEvent,

    // Patient copy.
    HowTitle,
    HowSubtitle,
    HowStepShare,
    HowStepMatch,
    HowStepReview,
    HowStepReceive,
    HowSubmitNow,
    ReviewTypesTitle,
    ReviewTypesSubtitle,
    Duration,

    // The second opinion's final report.
    ReportTitle,
    ReportCase,
    ReportSubmitted,
    ReportCompleted,
    ReportReviewType,
    ReportDiseaseCategory,
    ReportPatient,
    ReportPatientValue,
    ReportCoordinator,
    ReportOpinion,
    ReportSummary,
    ReportGenerated,

    // Notifications.
    CaseSubmittedTitle,
    CaseSubmittedBody,
    DraftReminderTitle,
    DraftReminderBody,
    CaseRejectedTitle,
    CaseRejectedBody,
    PaymentRequestedTitle,
    PaymentRequestedBody,
    PaymentReceivedTitle,
    PaymentReceivedBody,
    DocumentsRequestedTitle,
    DocumentsRequestedBody,
    ReportReadyTitle,
    ReportReadyBody,
    CoordinatorAssignedTitle,
    CoordinatorAssignedBody,
    CoordinatorReplacedTitle,
    CoordinatorReplacedBody,
    DoctorAssignedTitle,
    DoctorAssignedBody,
    DocumentsProvidedTitle,
    DocumentsProvidedBody,
    OpinionSubmittedTitle,
    OpinionSubmittedBody,
    VerificationCodeTitle,
    VerificationCodeBody,
    EmailCaseReference,
    // Clinic: staff accounts and sign-in.
    LoginFailed,
    LoginThrottled,
    LoginAudienceRefused,
    LoggedIn,
    LoggedOut,
    StaffNotFound,
    StaffCreated,
    StaffUpdated,
    StaffDeactivated,
    PasswordChanged,
    UsernameTaken,
    UsernameInvalid,
    StaffNameInvalid,
    StaffRolesRequired,
    PasswordLength,
    PasswordCommon,
    PasswordIsUsername,
    PasswordWrong,
    LastActiveAdmin,
    OwnAdminRole,
    CannotDeactivateSelf,
    StaffFieldNeedsAdmin,
    OwnPasswordOnly,
    // Clinic: patients and appointments.
    ClinicPatientNotFound,
    ClinicAppointmentNotFound,
    ClinicPatientCreated,
    ClinicPatientUpdated,
    ClinicPatientDeleted,
    ClinicPatientRemoved,
    ClinicAppointmentCreated,
    ClinicAppointmentsScheduled,
    ClinicAppointmentUpdated,
    ClinicAppointmentStatusChanged,
    ClinicAppointmentCancelled,
    ClinicPatientReferenced,
    ClinicAppointmentStatusRefused,
    ClinicAppointmentStatusFinal,
    ClinicAppointmentNotEditable,
    ClinicAppointmentChanged,
    ClinicDoubleBooked,
    ClinicUnknownPatient,
    ClinicUnknownDoctor,
    ClinicInvalidPhone,
    ClinicInvalidTime,
    ClinicDateInFuture,
    ClinicPastMidnight,
    ClinicSearchRequired,
    ClinicInvalidBoolean,
    // Clinic: reports, the audit log, events.
    WebsocketHandshakeRequired,
    EventStreamBehind,
    ClinicReportCreated,
    ClinicReportUpdated,
    ClinicReportFinalizedOk,
    ClinicReportDeleted,
    ClinicReportNotFound,
    ClinicReportReadOnly,
    ClinicReportChanged,
    ClinicReportEmpty,
    ClinicReportPatientUnknown,
    ClinicReportAuthorUnknown,
    ClinicStudyIdFormat,
    ClinicMeasurementValue,
    ClinicInstantFormat,
    ClinicReportStatusName,
    ClinicSexName,
    ClinicReportTitle,
    ClinicReportDraftTitle,
    ClinicReportPatient,
    ClinicReportMrn,
    ClinicReportBirthDate,
    ClinicReportSex,
    ClinicReportDate,
    ClinicReportDoctor,
    ClinicReportStatus,
    ClinicReportStudy,
    ClinicReportFindings,
    ClinicReportImpression,
    ClinicReportMeasurements,
    ClinicReportMeasurementName,
    ClinicReportMeasurementValue,
    ClinicReportMeasurementUnit,
    ClinicReportGenerated,
    // Clinic: imaging.
    ClinicDicomNotDicom,
    ClinicDicomNoMeta,
    ClinicDicomTruncated,
    ClinicDicomUnreadable,
    ClinicDicomMissingUid,
    ClinicDicomEmpty,
    ClinicStudyNotFound,
    ClinicImageNotFound,
    ClinicStudyDeleted,
    ClinicThumbnailNoPixels,
    ClinicThumbnailUnsupported,
    ClinicWorklistTarget,
    ClinicWorklistClosed,
    ClinicWorklistPublished,
    ClinicWorklistModality,
    ClinicWorklistStation,
    ClinicImagesReceived,
    ClinicMultipartMalformed,
    ClinicTooManyFiles,
    ClinicFileRefused,
    // Documents.
    DocumentEmpty,
    DocumentUnsupportedType,
    DocumentNotFound,
    FileLinkRefused,
    DocumentFormMalformed,
    DocumentFileMissing,
    DocumentUploaded,
    DocumentAlreadyStored,
    DocumentDeleted,
    FileRangeUnsatisfiable,
    // DICOMweb.
    DicomwebBadUid,
    DicomwebBadNumber,
    DicomwebBadBoolean,
    DicomwebBadIncludefield,
    DicomwebBadDate,
    DicomwebBadModality,
    DicomwebUnknownParameter,
    DicomwebNotFound,
    DicomwebNoPixels,
    DicomwebNoSuchFrame,
    DicomwebNotAcceptable,
    DicomwebBadViewport,
    DicomwebBadWindow,
    DicomwebBadQuality,
    DicomwebStowMediaType,
    DicomwebOtherStudy,
    // The web viewer's sign-in page.
    ViewerTitle,
    ViewerUsername,
    ViewerPassword,
    ViewerSignIn,
    ViewerSignOut,
    ViewerSignedOut,
    ViewerRefused,
}

impl Key {
    /// The entry's name in the catalogues.
    pub fn id(self) -> &'static str {
        self.into()
    }
}

/// A value inserted into a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Inserted as it is (a name, an id, a path).
    Str(String),
    /// A number; languages choose plural forms by it.
    Num(i64),
    /// A field's path as the client sent it (`patient_age`, `med_docs[2].url`); English shows the
    /// path, other languages explain it in words.
    Field(String),
    /// Choices a client may send (`draft`, `review`), joined as the language joins alternatives.
    Choices(Vec<String>),
    /// Several values named together ("ECG, blood tests"), joined as the language lists them.
    Items(Vec<String>),
    /// A name that exists in both languages (a review type's name).
    Localized { en: String, ar: String },
    /// Another message, rendered in the same language first.
    Text(Box<Text>),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Str(s.to_owned())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Str(s)
    }
}

impl From<i64> for Arg {
    fn from(n: i64) -> Self {
        Arg::Num(n)
    }
}

impl From<u32> for Arg {
    fn from(n: u32) -> Self {
        Arg::Num(i64::from(n))
    }
}

impl From<usize> for Arg {
    fn from(n: usize) -> Self {
        Arg::Num(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<Text> for Arg {
    fn from(t: Text) -> Self {
        Arg::Text(Box::new(t))
    }
}

/// A message in no language yet: what to say, with its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    key: Key,
    args: Vec<(&'static str, Arg)>,
}

impl Text {
    pub fn new(key: Key) -> Self {
        Self {
            key,
            args: Vec::new(),
        }
    }

    /// A name chosen from a list by `value` (a status, a role, a field): `Text::term(Key::RoleName,
    /// "doctor")`.
    pub fn term(key: Key, value: &str) -> Self {
        Self::new(key).with("value", value)
    }

    /// Adds an argument.
    #[must_use]
    pub fn with(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    /// Adds a field path argument.
    #[must_use]
    pub fn field(self, name: &'static str, path: &str) -> Self {
        self.with(name, Arg::Field(path.to_owned()))
    }

    pub fn key(&self) -> Key {
        self.key
    }

    pub fn args(&self) -> &[(&'static str, Arg)] {
        &self.args
    }

    /// The argument called `name`, if any.
    pub fn arg(&self, name: &str) -> Option<&Arg> {
        self.args.iter().find(|(n, _)| *n == name).map(|(_, a)| a)
    }
}

impl From<Key> for Text {
    fn from(key: Key) -> Self {
        Text::new(key)
    }
}

/// For logs and test failures: the key and the arguments, not a translation.
impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key.id())?;
        if !self.args.is_empty() {
            f.write_str("(")?;
            for (i, (name, arg)) in self.args.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                match arg {
                    Arg::Str(s) | Arg::Field(s) => write!(f, "{name}={s}")?,
                    Arg::Num(n) => write!(f, "{name}={n}")?,
                    Arg::Choices(c) => write!(f, "{name}={}", c.join("|"))?,
                    Arg::Items(i) => write!(f, "{name}={}", i.join("+"))?,
                    Arg::Localized { en, .. } => write!(f, "{name}={en}")?,
                    Arg::Text(t) => write!(f, "{name}={t}")?,
                }
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// Puts a [`Text`] into words.
///
/// Contract: `translate` MUST return a non-empty string for every [`Key`] in both languages, MUST
/// render nested [`Arg::Text`] arguments in the same language, and MUST NOT fail: a missing entry
/// or argument is the catalogue's bug, rendered as best it can and reported in the log.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait Translator: Send + Sync {
    fn translate(&self, lang: Lang, text: &Text) -> String;
}

/// `text` safe inside an HTML element and inside a quoted attribute: the five characters HTML gives
/// meaning to, escaped. For the pages, mails and printouts the adapters write.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_kebab_case_and_unique() {
        let mut ids: Vec<&str> = Key::VARIANTS.iter().map(|k| k.id()).collect();
        assert_eq!(Key::CaseNotFound.id(), "case-not-found");
        assert_eq!(Key::Ok.id(), "ok");
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n);
    }

    #[test]
    fn display_shows_key_and_args() {
        let t = Text::new(Key::InvalidMaxLength)
            .field("field", "q")
            .with("max", 100i64);
        assert_eq!(t.to_string(), "invalid-max-length(field=q, max=100)");
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape_html("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
