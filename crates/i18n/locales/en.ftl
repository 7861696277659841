# English: every text the platform shows people. The texts of the API's source documents are kept
# word for word; clients may rely on them.

## Successes

ok = ok
case-saved = Case saved
case-updated = Case updated
documents-updated = Medical documents updated
contact-updated = Contact details updated
review-type-created = Review type created
review-type-updated = Review type updated
review-type-activated = Review type activated
review-type-deactivated = Review type deactivated
disease-category-created = Disease category created
disease-category-updated = Disease category updated
disease-category-activated = Disease category activated
disease-category-deactivated = Disease category deactivated
drafts-processed = Draft notifications processed successfully
notification-queued = Notification queued for delivery
doctor-assigned-to-case = Doctor assigned to case
requested-documents-updated = Requested documents updated
opinion-saved = Opinion submitted
summary-saved = Summary submitted; the case is completed and its report is ready
coordinator-assigned-to-case = Coordinator assigned to case
case-rejected-ok = Case rejected
payment-confirmed = Payment confirmed
provider-created = Provider created
provider-updated = Provider updated
provider-activated = Provider activated
provider-deactivated = Provider deactivated
providers-synced = Providers synced
eligibility-updated = Eligibility updated
documents-provided-ok = Documents added to the case

## Not found

case-not-found = Case not found
review-type-not-found = Review type not found
disease-category-not-found = Disease category not found
notification-not-found = Notification not found
notification-not-failed = Notification not found or not failed
provider-not-found = Provider not found
assignment-not-found = Assignment not found
request-not-found = No open document request on this case has this id
payment-not-found = Payment not found
declaration-request-not-found = Declaration request not found
active-parent-declaration-not-found = Active parent declaration was not found
declaration-not-found = Declaration not found

## Conflicts

case-changed = The case was changed by another request; reload it and try again
record-conflict = This record conflicts with an existing one
review-type-name-taken = A review type with this name already exists
disease-category-name-taken = A disease category with this name already exists
transition-refused = { $action } is not possible while the case is { $status }
provider-id-taken = A provider with this id already exists
doctor-already-assigned = Doctor { $doctor } is already assigned to this case
opinions-missing = The summary can be submitted once every assigned doctor has given an opinion; missing: { $doctors }
report-not-ready = The report is not ready while the case is { $status }
not-eligible-coordinator = { $doctor } is not an active coordinator for this case's disease category
not-eligible-specialist = { $doctor } is not an active specialist for this case's disease category
payment-amount-mismatch = The payment does not match the case: expected { $expected }, received { $received }
invalid-transition = Invalid transition
patient-not-verified = Patient is not verified
documents-not-uploaded = Documents { $documents } is not uploaded

## Unprocessable (the eHealth surface's 422s, word for word)

invalid-verification-code = Invalid verification code
verification-code-expired = Verification code expired
max-attempts-exceed = Maximum attempts exceed
doctor-declaration-limit = This doctor has { $count } declarations and could not sign more
employee-public-key-missing = The employee has no registered public key to verify the signature

## Authentication and permission

auth-missing = Missing Authorization header
auth-malformed = Malformed token
auth-invalid = Invalid token
auth-wrong-audience = Token is not valid for this service
auth-expired = Token has expired
auth-revoked = Token has been revoked
role-required = This action needs the { $role } role
roles-required = This action needs one of these roles: { $choices }
webhook-signature = The webhook signature is missing, invalid or too old
not-case-coordinator = Only the case coordinator may do this
not-your-assignment = A doctor may only change their own assignment
invalid-scopes = Invalid scopes

## Validation

invalid-uuid = { $field } must be a UUID
invalid-actor-id = an id must be 1 to 128 printable characters
invalid-role = unknown role "{ $role }": roles are { $choices }
invalid-ttl = ttl must be between 1 second and 366 days
invalid-choice = { $field } must be { $choices }
invalid-whole-number = { $field } must be a whole number from { $min } to { $max }
invalid-text-length = { $field } must be { $min } to { $max } characters
invalid-max-length = { $field } must be at most { $max } characters
invalid-max-items = { $field } holds at most { $max } documents
invalid-min-items = { $field } must hold at least one document
invalid-documents-total = A case holds at most { $max } medical documents: it has { $has } and { $sent } were sent
invalid-page-too-large = { $field } is too large
invalid-min-one = { $field } must be 1 or more
invalid-email = { $field } must be an address like name@example.org
invalid-date = { $field } must be a date like 2026-01-31
inactive-review-type = { $field } is not an active review type
inactive-disease-category = { $field } is not an active disease category
rule-length-between = { $field }: must be { $min } to { $max } characters
rule-length-max = { $field }: must be at most { $max } characters
rule-range = { $field }: must be between { $min } and { $max }
rule-not-after = { $field }: must not be greater than { $other }
rule-decimals = { $max ->
    [0] { $field }: must be a whole number
   *[other] { $field }: must have at most { $max } decimals
}
rule-currency = { $field }: must be an ISO 4217 code of three capital letters
rule-icon = { $field }: must be 1 to 40 characters of a-z, 0-9, '_' or '-'
rule-invalid = { $field } is invalid
invalid-amount = { $field } must be a number
invalid-item-count = { $field } must hold { $min } to { $max } items
duplicate-in-list = { $field } repeats an earlier item
webhook-malformed = The webhook body is not a payment event
verification-code-required = required property verification_code was not present
verification-code-not-allowed = schema does not allow additional properties
invalid-verification-code-format = { $field } must be 4 digits, as a number or a string
person-not-found = Person not found
person-without-authentication-method = Person has no authentication methods
employee-not-found = Employee not found
employee-status-invalid = Invalid employee status
employee-not-in-legal-entity = Employee does not belong to legal entity.
employee-not-doctor = Employee ID must reference a doctor.
employee-speciality-not-doctor = Employee's speciality does not belong to a doctor: THERAPIST, PEDIATRICIAN, FAMILY_DOCTOR
speciality-age-mismatch = Doctor speciality doesn't match patient's age
division-not-found = Division not found
division-not-in-legal-entity = Division does not belong to legal entity.
signed-content-mismatch = Signed content does not match the previously created content
signature-not-verified = The signature does not verify with the employee's public key
schema-required = required property { $field } was not present
schema-additional-property = schema does not allow additional properties
schema-type = type mismatch. Expected { $expected } but got { $actual }
upload-link-invalid = The upload link is invalid or has expired

## Answers of the HTTP edge

no-route = No route for { $method } { $path }
method-not-allowed = Method { $method } is not allowed on { $path }; use { $allowed }
body-too-large = Request body is larger than the limit of { $kib } KiB
body-unreadable = The request body could not be read
content-type-json = Content-Type must be application/json
body-not-object = The request body must be a JSON object
malformed-json = Malformed JSON: { $detail }
invalid-body = Invalid request body: { $detail }
unknown-field = Invalid request body: { $detail }
missing-field = Invalid request body: { $detail }
unavailable = Service temporarily unavailable, please retry shortly
internal = Internal server error
validation-separator = {"; "}
list-separator = {", "}
list-or = {" or "}
field-in-item = { $path }

## Names, chosen by `value`

field-name = { $value }
case-status-name = { $value }
role-name = { $value }
action-name = { $value ->
    [update] Updating
    [add_documents] Adding documents
    [reject] Rejecting
    [assign_coordinator] Assigning a coordinator
    [change_coordinator] Changing the coordinator
    [confirm_payment] Confirming payment
    [assign_doctors] Assigning doctors
    [submit_summary] Submitting the final summary
    [request_documents] Requesting documents
    [answer_documents] Providing requested documents
    [submit_opinion] Submitting an opinion
   *[other] { $value }
}
timeline-event = { $value ->
    [created] Case created
    [submitted] Case submitted
    [updated] Case updated
    [documents_added] Documents added
    [draft_reminder_sent] Draft reminder sent
    [coordinator_assigned] Coordinator assigned
    [awaiting_payment] Awaiting payment
    [coordinator_changed] Coordinator changed
    [rejected] Case rejected
    [payment_received] Payment received
    [doctor_assigned] Doctors assigned
    [documents_requested] Documents requested
    [documents_provided] Documents provided
    [opinion_submitted] Opinion submitted
    [completed] Completed
   *[other] { $value }
}

## Patient copy

how-title = How second opinion works
how-subtitle = A few simple steps to get an expert medical review of your case.
how-step-share = Share your medical documents and details securely.
how-step-match = Our coordinators match you with the right specialists.
how-step-review = Expert doctors review your case and records.
how-step-receive = Receive your second opinion summary and next steps.
how-submit-now = Submit your case now
review-types-title = Select review type
review-types-subtitle = Get expert medical opinion from our panel
duration = { $single ->
    [yes] { $max } { $max ->
        [one] day
       *[other] days
    }
   *[no] { $min } - { $max } { $max ->
        [one] day
       *[other] days
    }
}

## The second opinion's final report

report-title = Second opinion report
report-case = Case reference
report-submitted = Submitted on
report-completed = Completed on
report-review-type = Review type
report-disease-category = Speciality
report-patient = Patient
report-patient-value = { $sex ->
    [female] Female
   *[male] Male
}, { $age } { $age ->
    [one] year
   *[other] years
}
report-coordinator = Case coordinator
report-opinion = Opinion of { $doctor }
report-summary = Final summary
report-generated = Generated on { $date } by { $issuer }. This report is the opinion of the doctors named in it on the documents the patient provided.

## Notifications

case-submitted-title = We received your case
case-submitted-body = { $has_type ->
    [yes] Your case for a { $review_type } has been submitted. Our coordinators will match you with the right specialists and contact you about the next steps.
   *[no] Your case has been submitted. Our coordinators will match you with the right specialists and contact you about the next steps.
}
draft-reminder-title = Your case is waiting for you
draft-reminder-body = You started a second opinion request but have not submitted it yet. Complete it and submit it so our specialists can review your case.
case-rejected-title = Your case could not be accepted
case-rejected-body = We are sorry: your case was not accepted for review. Reason: { $reason }
payment-requested-title = Your coordinator is ready: please complete payment
payment-requested-body = A coordinator has been assigned to your case{ $has_type ->
    [yes] {" "}for a { $review_type }
   *[no] {""}
}. Pay { $amount } { $currency } to start the review: { $url }
payment-received-title = Payment received
payment-received-body = We received the payment for case { $case_id }. The specialists will be assigned shortly.
documents-requested-title = Your doctor needs more documents
documents-requested-body = { $doctor } asks for: { $documents }. Add them to your case in the app.
report-ready-title = Your second opinion report is ready
report-ready-body = The doctors have completed their review{ $has_type ->
    [yes] {" "}of your { $review_type }
   *[no] {""}
}. Open the case in the app to read the final report.
coordinator-assigned-title = A case to coordinate
coordinator-assigned-body = You coordinate case { $case_id }{ $has_type ->
    [yes] {" "}({ $review_type })
   *[no] {""}
}. Once the patient has paid, assign the specialists.
coordinator-replaced-title = Case reassigned
coordinator-replaced-body = Case { $case_id } has been given to another coordinator; no action is needed from you.
doctor-assigned-title = A case for your opinion
doctor-assigned-body = You are assigned to case { $case_id }{ $has_type ->
    [yes] {" "}({ $review_type })
   *[no] {""}
}. Review the case and submit your opinion.
documents-provided-title = The patient provided documents
documents-provided-body = The patient added the documents you asked for to case { $case_id }.
opinion-submitted-title = An opinion was submitted
opinion-submitted-body = { $doctor } submitted an opinion on case { $case_id }.
verification-code-title = Verification code
verification-code-body = Your verification code is { $code }. Do not share it with anyone.
email-case-reference = Case reference:

## Clinic: staff accounts and sign-in
login-failed = Invalid username or password
login-throttled = Too many failed sign-ins; try again in { $n ->
    [one] { $n } second
   *[other] { $n } seconds
}
login-audience-refused = This account may not sign in for { $value }
logged-in = Signed in
logged-out = Signed out
staff-not-found = Staff account not found
staff-created = Staff account created
staff-updated = Staff account updated
staff-deactivated = Staff account deactivated
password-changed = Password changed; sign in again with the new password
username-taken = This username is already taken
username-invalid = { $field }: must be { $min } to { $max } characters: letters, digits, dots, underscores or hyphens
staff-name-invalid = { $field }: must be { $min } to { $max } characters, not blank, without control characters
staff-roles-required = roles: give at least one of { $choices }
password-length = { $field }: must be { $min } to { $max } characters long
password-common = { $field }: this password is too common and easy to guess; choose another
password-is-username = { $field }: the password must not be the username
password-wrong = { $field }: the current password is not correct
last-active-admin = The last active admin cannot be deactivated or lose the admin role
own-admin-role = You cannot remove your own admin role
cannot-deactivate-self = You cannot deactivate your own account
staff-field-needs-admin = Only an admin may change { $field }
own-password-only = You may only change your own password

## Clinic: patients and appointments
clinic-patient-not-found = Patient not found
clinic-appointment-not-found = Appointment not found
clinic-patient-created = Patient created
clinic-patient-updated = Patient updated
clinic-patient-deleted = Patient deleted
clinic-patient-removed = Patient record removed for good
clinic-appointment-created = Appointment booked
clinic-appointments-scheduled = Appointments booked
clinic-appointment-updated = Appointment updated
clinic-appointment-status-changed = Appointment status changed
clinic-appointment-cancelled = Appointment cancelled
clinic-patient-referenced = The patient cannot be removed for good while records refer to it: { $appointments ->
        [one] one appointment
       *[other] { $appointments } appointments
    }, { $reports ->
        [one] one report
       *[other] { $reports } reports
    }, { $studies ->
        [one] one imaging study
       *[other] { $studies } imaging studies
    } and { $documents ->
        [one] one document
       *[other] { $documents } documents
    }
clinic-appointment-status-refused = The appointment is { $status }: it can only move to { $choices }
clinic-appointment-status-final = The appointment is { $status }: its status can no longer change
clinic-appointment-not-editable = The appointment is { $status }: only a scheduled or waiting appointment can be changed
clinic-appointment-changed = The appointment was changed by another request; reload it and try again
clinic-double-booked = { $field }: the doctor already has an appointment at { $time } that day which overlaps this one
clinic-unknown-patient = { $field } names no patient of the clinic
clinic-unknown-doctor = { $field } must be the id of an active staff account with the doctor role
clinic-invalid-phone = { $field } must be { $min } to { $max } characters of digits, spaces, + or -
clinic-invalid-time = { $field } must be a time like 09:30 (24-hour clock)
clinic-date-in-future = { $field } must not be in the future
clinic-past-midnight = { $field }: the appointment must end by midnight
clinic-search-required = { $field } must hold at least one character to search for
clinic-invalid-boolean = { $field } must be true or false

## Clinic: reports, the audit log, events
websocket-handshake-required = This address speaks WebSocket: open it with a WebSocket client
event-stream-behind = The connection fell too far behind the events; reconnect to go on

clinic-report-created = Report created
clinic-report-updated = Report updated
clinic-report-finalized-ok = Report finalized
clinic-report-deleted = Report deleted
clinic-report-not-found = Report not found
clinic-report-read-only = This report is finalized and can no longer be changed
clinic-report-changed = The report was changed by someone else at the same time; reload it and try again
clinic-report-empty = A report needs findings or an impression before it can be finalized
clinic-report-patient-unknown = { $field } names no patient of the clinic
clinic-report-author-unknown = Only a staff account of the clinic can write reports
clinic-study-id-format = { $field } must be 1 to 64 letters, digits, dots, hyphens or underscores
clinic-measurement-value = { $field } must be a finite number
clinic-instant-format = { $field } must be an instant like 2026-11-30T10:00:00Z or a date like 2026-11-30
clinic-report-status-name = { $value ->
    [draft] Draft
    [finalized] Finalized
   *[other] { $value }
}
clinic-sex-name = { $value ->
    [male] Male
    [female] Female
    [other] Other
   *[unknown] { $value }
}
clinic-report-title = Medical report
clinic-report-draft-title = Medical report (DRAFT, not finalized)
clinic-report-patient = Patient
clinic-report-mrn = Medical record number
clinic-report-birth-date = Date of birth
clinic-report-sex = Sex
clinic-report-date = Report date
clinic-report-doctor = Reporting doctor
clinic-report-status = Status
clinic-report-study = Study
clinic-report-findings = Findings
clinic-report-impression = Impression
clinic-report-measurements = Measurements
clinic-report-measurement-name = Measurement
clinic-report-measurement-value = Value
clinic-report-measurement-unit = Unit
clinic-report-generated = Generated on { $date } by { $issuer }.

# Clinic: imaging.
clinic-dicom-not-dicom = The file is not a DICOM file: a DICOM Part 10 file has "DICM" after a 128-byte preamble
clinic-dicom-no-meta = The DICOM file has no file meta information header (group 0002)
clinic-dicom-truncated = The DICOM file is cut short: { $detail }
clinic-dicom-unreadable = The DICOM file cannot be read: { $detail }
clinic-dicom-missing-uid = The DICOM file has no { $uid }, which every stored instance needs
clinic-dicom-empty = The file is empty
clinic-study-not-found = Study not found
clinic-image-not-found = Image not found
clinic-study-deleted = Study deleted
clinic-thumbnail-no-pixels = This object holds no pixel data (a report or a waveform): there is no image to show
clinic-thumbnail-unsupported = This image cannot be drawn here: { $detail }
clinic-worklist-target = Give either appointment_id or patient_id
clinic-worklist-closed = The appointment is { $status }: it no longer goes on the worklist
clinic-worklist-published = Worklist entry published
clinic-worklist-modality = modality must be 1 to 16 capital letters or digits (US, CT, MR)
clinic-worklist-station = station_ae_title must be 1 to 16 characters of letters, digits, spaces, _ or -
clinic-images-received = { $stored ->
        [one] one file stored
       *[other] { $stored } files stored
    }, { $refused ->
        [one] one refused
       *[other] { $refused } refused
    }
clinic-multipart-malformed = The body must be multipart/form-data with one or more parts named file: { $detail }
clinic-too-many-files = At most { $max } files may be sent at once
clinic-file-refused = { $name }: { $reason }
document-empty = The file is empty
document-unsupported-type = This type of file is not accepted: send a PDF, JPEG, PNG, HEIC, DICOM or plain text (UTF-8) file
document-not-found = Document not found
file-link-refused = This link has expired or is not valid
document-form-malformed = The body must be multipart/form-data with one part named file: { $detail }
document-file-missing = The form has no part named file: send the document in a part named file
document-uploaded = Document uploaded
document-already-stored = This document was already uploaded: the stored one is answered
document-deleted = Document deleted
file-range-unsatisfiable = The requested range is outside the file
dicomweb-bad-uid = { $name } must be a UID, or UIDs separated by commas
dicomweb-bad-number = { $name } must be a whole number from 0
dicomweb-bad-boolean = { $name } must be true or false
dicomweb-bad-includefield = { $name } must list tags (00100010) or keywords (PatientName), or be all
dicomweb-bad-date = { $name } must be a date YYYYMMDD or a range of dates (20240101-20240131, either end open)
dicomweb-bad-modality = { $name } must be a modality such as US or CT
dicomweb-unknown-parameter = { $name } is not a parameter this server searches by
dicomweb-not-found = No such study, series or instance
dicomweb-no-pixels = This instance holds no pixel data
dicomweb-no-such-frame = No such frame: the instance has { $frames ->
        [one] one frame
       *[other] { $frames } frames
    }
dicomweb-not-acceptable = This cannot be given in a form the request accepts: { $detail }
dicomweb-bad-viewport = { $name } must be width,height in pixels, each from 1 to 4096
dicomweb-bad-window = { $name } must be center,width (a width of 1 or more), optionally followed by ,linear
dicomweb-bad-quality = { $name } must be a whole number from 1 to 100
dicomweb-stow-media-type = Send instances as multipart/related; type="application/dicom", each part a DICOM Part 10 file
dicomweb-other-study = Instance { $instance } belongs to study { $found }, not to study { $study } named in the path
viewer-title = Sign in to view images
viewer-username = Username
viewer-password = Password
viewer-sign-in = Sign in
viewer-sign-out = Sign out
viewer-signed-out = You have signed out of the image viewer.
viewer-refused = This account may not view images: only doctors and technicians may.
