class ClientError(Exception):
    """The request itself is wrong; `status` and `slug` pick the problem document."""

    status = 400
    slug = "bad-request"
    title = "Bad request"


class MalformedJson(ClientError):
    status, slug, title = 400, "malformed-json", "Malformed JSON"


class MalformedBody(ClientError):
    status, slug, title = 400, "malformed-body", "Malformed body"


class UnsupportedMediaType(ClientError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


class PayloadTooLarge(ClientError):
    status, slug, title = 413, "payload-too-large", "Payload too large"


class UnprocessableBody(ClientError):
    status, slug, title = 422, "invalid-body", "Invalid request body"
