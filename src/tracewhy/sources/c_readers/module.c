/* tracewhy.sources._native: the readers in C (see scan.h for why), one translation unit. */

#include "scan.h"
#include "jaeger.h"
#include "otlp.h"
#include "zipkin.h"

static PyMethodDef methods[] = {
    {"configure", configure, METH_VARARGS,
     "configure(Span, KIND_NAMES, UNSPECIFIED, STATUS_UNSET, CHILD_OF, span_status, typed_value, "
     "trace_key, log_event): the model and rules the reader builds with."},
    {"read_jaeger", read_jaeger, METH_O,
     "read_jaeger(data: bytes) -> list[Span] | None: the spans of every trace, each trace's in (start, "
     "span id) order; None when the input is outside the shape this reader takes."},
    {"configure_otlp", configure_otlp, METH_VARARGS,
     "configure_otlp(kinds by number, trace_key, status_of, bytes_as_hex, Event)."},
    {"read_otlp", read_otlp, METH_VARARGS,
     "read_otlp(data: bytes, wrapped: bool) -> list[Span] | None: as `read`, for OTLP/JSON "
     "(wrapped: Jaeger api_v3's {\"result\": ...}); spans grouped by trace in order of first "
     "appearance."},
    {"configure_zipkin", configure_zipkin, METH_VARARGS,
     "configure_zipkin(KINDS, trace_key, span_status, remote_attributes, resource_of, "
     "annotation_event)."},
    {"read_zipkin", read_zipkin, METH_VARARGS,
     "read_zipkin(data: bytes, nested: bool) -> list[Span] | None: as `read_otlp`, for Zipkin v2 "
     "(nested: a list of traces)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_native",
    "Jaeger, OTLP and Zipkin JSON read in C, for the shape nearly every export has.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__native(void) {
    KeySpanKind = PyUnicode_InternFromString("span.kind");
    KeyError = PyUnicode_InternFromString("error");
    KeyStatusCode = PyUnicode_InternFromString("otel.status_code");
    KeyStatusDescription = PyUnicode_InternFromString("otel.status_description");
    KeyScopeName = PyUnicode_InternFromString("otel.scope.name");
    KeyServiceName = PyUnicode_InternFromString("service.name");
    EmptyText = PyUnicode_New(0, 127);
    EmptyTuple = PyTuple_New(0);
    if (!KeySpanKind || !KeyError || !KeyStatusCode || !KeyStatusDescription || !KeyScopeName
        || !KeyServiceName || !EmptyText
        || !EmptyTuple)
        return NULL;
    for (int i = 0; i < 5; i++)
        if (!(TypeNames[i] = PyUnicode_InternFromString(TypeSpelling[i]))) return NULL;
    return PyModule_Create(&module_def);
}
