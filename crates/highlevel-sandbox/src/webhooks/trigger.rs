//! Which operations send which event: configuration a client crate gives its sandbox, so that
//! this crate knows nothing of calendars.

/// Where a successful answer holds the object an event carries.
#[derive(Clone, Debug, PartialEq, Eq)]
enum AnswerPart {
    /// The whole answer is the object.
    Whole,
    /// The object is the answer's field.
    Field(String),
    /// The answer holds none of it (`{"succeeded": true}`).
    Nothing,
}

/// An event a successful call of an operation sends, given to
/// [`SandboxBuilder::webhook_trigger`](crate::SandboxBuilder::webhook_trigger).
///
/// The event's body is `{"type": event_type, "locationId": …, object_field: {…}}` with the
/// delivery's `timestamp` and `webhookId`. The object is made of, in this order, each laid
/// over the one before:
///
/// 1. what the last event about the same `id` carried (so an update's event keeps the fields
///    of the create, and a delete's the object deleted) and the answer's object (see
///    [`answer_field`](WebhookTrigger::answer_field)): the answer last when a client's
///    [`Resources`](crate::Resources) made it, first when it was made up from the document;
/// 2. the request body's fields (an answer made up from the document does not echo them);
/// 3. the path parameter of [`id_param`](WebhookTrigger::id_param) as `id`.
///
/// `locationId` is the object's, else the query's.
///
/// ```
/// use highlevel_sandbox::WebhookTrigger;
///
/// let create = WebhookTrigger::new("create-appointment", "AppointmentCreate", "appointment");
/// let delete = WebhookTrigger::new("delete-event", "AppointmentDelete", "appointment")
///     .without_answer()
///     .id_param("eventId")
///     .ends_object();
/// assert_eq!(create.operation_id(), "create-appointment");
/// assert_eq!(delete.event_type(), "AppointmentDelete");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookTrigger {
    operation_id: String,
    event_type: String,
    object_field: String,
    answer: AnswerPart,
    id_param: Option<String>,
    ends: bool,
}

impl WebhookTrigger {
    /// A successful call of `operation_id` sends `event_type`, with the object under
    /// `object_field`; the whole answer is the object.
    pub fn new(
        operation_id: impl Into<String>,
        event_type: impl Into<String>,
        object_field: impl Into<String>,
    ) -> WebhookTrigger {
        WebhookTrigger {
            operation_id: operation_id.into(),
            event_type: event_type.into(),
            object_field: object_field.into(),
            answer: AnswerPart::Whole,
            id_param: None,
            ends: false,
        }
    }

    /// The object is the answer's `field` (such as `calendar` in `{"calendar": {…}}`).
    pub fn answer_field(mut self, field: impl Into<String>) -> Self {
        self.answer = AnswerPart::Field(field.into());
        self
    }

    /// The answer holds nothing of the object (a delete's `{"succeeded": true}`).
    pub fn without_answer(mut self) -> Self {
        self.answer = AnswerPart::Nothing;
        self
    }

    /// The path parameter `name` is the object's `id` (an update's or a delete's).
    pub fn id_param(mut self, name: impl Into<String>) -> Self {
        self.id_param = Some(name.into());
        self
    }

    /// The call ends the object (a delete): later events about its id start afresh.
    pub fn ends_object(mut self) -> Self {
        self.ends = true;
        self
    }

    /// The operation that sends the event.
    pub fn operation_id(&self) -> &str {
        &self.operation_id
    }

    /// The event's `type`.
    pub fn event_type(&self) -> &str {
        &self.event_type
    }

    pub(crate) fn object_field(&self) -> &str {
        &self.object_field
    }

    pub(crate) fn id_param_name(&self) -> Option<&str> {
        self.id_param.as_deref()
    }

    pub(crate) fn ends(&self) -> bool {
        self.ends
    }

    /// The object part of `answer`, when this trigger reads one from it.
    pub(crate) fn object_in<'a>(
        &self,
        answer: &'a serde_json::Value,
    ) -> Option<&'a serde_json::Value> {
        match &self.answer {
            AnswerPart::Whole => Some(answer),
            AnswerPart::Field(field) => answer.get(field),
            AnswerPart::Nothing => None,
        }
    }
}
