package serving

import (
	"fmt"
	"net/http"
)

// apiError is an error the REST API answers with: an HTTP status and the
// message that goes into TF Serving's error body {"error": "<message>"}.
// TF Serving maps its error codes to HTTP statuses (http_server.cc,
// ToHTTPStatusCode): INVALID_ARGUMENT, FAILED_PRECONDITION and
// OUT_OF_RANGE 400, NOT_FOUND 404, UNAVAILABLE 503, RESOURCE_EXHAUSTED 429,
// DEADLINE_EXCEEDED 504, CANCELLED 499, UNIMPLEMENTED 501, INTERNAL and
// UNKNOWN 500; this server adds 405 (method not allowed) and 413 (body too
// large), which TF Serving has no equivalent for.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return "serving: " + e.msg }

// statusClientClosedRequest is the status TF Serving gives a cancelled
// request (nginx's 499; net/http has no name for it).
const statusClientClosedRequest = 499

func newAPIError(status int, format string, args ...interface{}) *apiError {
	return &apiError{status: status, msg: fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...interface{}) *apiError {
	return newAPIError(http.StatusBadRequest, format, args...)
}

func notFound(format string, args ...interface{}) *apiError {
	return newAPIError(http.StatusNotFound, format, args...)
}
