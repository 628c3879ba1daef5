/* Zipkin v2 JSON (a list of spans, or of traces): the spans `typed_zipkin._PlainSpans.build`
 * makes, for input where it would take every span: canonical hex ids, an upper-case kind (or
 * none), a timestamp and a duration, tags with text values, annotations of v2's shape. */

static PyObject *ZipkinKinds, *ZipkinStatus, *RemoteAttributes, *ResourceOf, *AnnotationEvent;

/* {"serviceName", "ipv4", "ipv6", "port"}: with `out`, service, address (ipv4, else ipv6) and
 * port as new references. */
static int parse_endpoint(Parser *p, PyObject **service, PyObject **address, int64_t *port) {
    cursor k, s, at[3] = {0};
    Py_ssize_t kn, n, lengths[3] = {0};
    int flags, flag[3] = {0}, seen = 0, more = open_container(p, '{', '}');
    while (more > 0) {
        if (plain_key(p, &k, &kn)) return BAIL;
        int field = IS(k, kn, "serviceName") ? 0 : IS(k, kn, "ipv4") ? 1 : IS(k, kn, "ipv6") ? 2 : -1;
        if (field >= 0) {
            ONCE(seen, 1 << field);
            if (scan_string(p, &s, &n, &flags)) return BAIL;
            at[field] = s, lengths[field] = n, flag[field] = flags;
        } else if (IS(k, kn, "port")) {
            ONCE(seen, 8);
            int kind;
            double dv;
            if (scan_number(p, &kind, port, &dv) || kind != NUM_INT) return BAIL;
        } else if (skip_value(p, 1)) {
            return BAIL;
        }
        more = next_member(p, '}');
    }
    if (more < 0) return BAIL;
    if (!service) return 0;
    int ip = lengths[1] ? 1 : 2; /* ipv4 or ipv6, as the typed reader picks */
    *service = at[0] ? name_text(p, at[0], lengths[0], flag[0]) : EmptyText;
    *address = at[ip] && lengths[ip] ? cached_text(p, &p->values, 0, at[ip], lengths[ip], flag[ip])
                                     : EmptyText;
    return *service && *address ? 0 : BAIL; /* borrowed, both */
}

/* {"tag": "text"...}; with `into`, each pair is added to that dict. */
static int parse_text_tags(Parser *p, PyObject *into) {
    cursor k, v;
    Py_ssize_t kn, vn;
    int kf, vf, more = open_container(p, '{', '}');
    while (more > 0) {
        if (scan_string(p, &k, &kn, &kf) || expect(p, ':') || scan_string(p, &v, &vn, &vf))
            return BAIL; /* a value that is not text: the tolerant reader */
        if (into) {
            PyObject *key = name_text(p, k, kn, kf), *value;
            value = vn > SHARED_VALUE_BYTES || (vf & STR_ESCAPED)
                        ? make_text(p, v, vn, vf) : Py_XNewRef(cached_text(p, &p->values, 0, v, vn, vf));
            int rc = !key || !value || PyDict_SetItem(into, key, value);
            Py_XDECREF(value);
            if (rc) return BAIL;
        }
        more = next_member(p, '}');
    }
    return more < 0 ? BAIL : 0;
}

/* [{"timestamp", "value"}...] (no other field: v1 annotations carry an endpoint): how many, or
 * BAIL; with `events`, each Event is appended to that list. */
static int parse_annotations(Parser *p, PyObject *events) {
    int count = 0, more = open_container(p, '[', ']');
    while (more > 0) {
        cursor k, value_s = NULL;
        Py_ssize_t kn, value_n = 0;
        int64_t timestamp = 0;
        int value_flags = 0, seen = 0, inner = open_container(p, '{', '}');
        while (inner > 0) {
            if (plain_key(p, &k, &kn)) return BAIL;
            if (IS(k, kn, "timestamp")) {
                ONCE(seen, 1);
                if (time_value(p, &timestamp)) return BAIL;
            } else if (IS(k, kn, "value")) {
                ONCE(seen, 2);
                if (scan_string(p, &value_s, &value_n, &value_flags)) return BAIL;
            } else {
                return BAIL;
            }
            inner = next_member(p, '}');
        }
        if (inner < 0) return BAIL;
        count++;
        if (events) {
            PyObject *at = PyLong_FromLongLong(timestamp), *event = NULL;
            PyObject *value = value_s ? make_text(p, value_s, value_n, value_flags)
                                      : Py_NewRef(EmptyText);
            if (at && value) event = PyObject_CallFunctionObjArgs(AnnotationEvent, at, value, NULL);
            int rc = event && !PyList_Append(events, event) ? 0 : BAIL;
            Py_XDECREF(at);
            Py_XDECREF(value);
            Py_XDECREF(event);
            if (rc) return BAIL;
        }
        more = next_member(p, ']');
    }
    return more < 0 ? BAIL : count;
}

enum {
    Z_TRACE = 1, Z_ID = 2, Z_PARENT = 4, Z_NAME = 8, Z_KIND = 16, Z_TIMESTAMP = 32,
    Z_DURATION = 64, Z_LOCAL = 128, Z_REMOTE = 256, Z_TAGS = 512, Z_ANNOTATIONS = 1024,
    Z_SHARED = 2048,
};

static int parse_zipkin_span(Parser *p, Doc *doc) {
    Rec r = {0};
    r.name = r.service = r.address = EmptyText;
    r.pos = (uint32_t)p->n_recs;
    cursor k, s;
    Py_ssize_t kn, n;
    int flags, seen = 0, more = open_container(p, '{', '}');
    PyObject *kind_name = NULL;
    while (more > 0) {
        if (plain_key(p, &k, &kn)) return BAIL;
        if (IS(k, kn, "traceId")) {
            ONCE(seen, Z_TRACE);
            if (scan_string(p, &s, &n, &flags) || trace_rank(p, doc, s, n, flags, &r.rank))
                return BAIL;
        } else if (IS(k, kn, "id")) {
            ONCE(seen, Z_ID);
            if (span_id(p, &r.id)) return BAIL;
        } else if (IS(k, kn, "parentId")) {
            ONCE(seen, Z_PARENT);
            if (scan_string(p, &s, &n, &flags) || (n && hex_id(s, n, &r.parent))) return BAIL;
            r.has_parent = n > 0;
        } else if (IS(k, kn, "name")) {
            ONCE(seen, Z_NAME);
            if (scan_string(p, &s, &n, &flags) || !(r.name = name_text(p, s, n, flags)))
                return BAIL;
        } else if (IS(k, kn, "kind")) {
            ONCE(seen, Z_KIND);
            if (peek(p) == 'n') { /* the OTel SDK's encoder: null for an INTERNAL span */
                if (literal(p, "null")) return BAIL;
            } else if (scan_string(p, &s, &n, &flags)) {
                return BAIL;
            } else if (n && !(kind_name = name_text(p, s, n, flags))) {
                return BAIL;
            }
        } else if (IS(k, kn, "timestamp")) {
            ONCE(seen, Z_TIMESTAMP);
            if (time_value(p, &r.start)) return BAIL;
        } else if (IS(k, kn, "duration")) {
            ONCE(seen, Z_DURATION);
            if (time_value(p, &r.duration)) return BAIL;
        } else if (IS(k, kn, "localEndpoint")) {
            ONCE(seen, Z_LOCAL);
            int64_t port;
            if (peek(p) == 'n') {
                if (literal(p, "null")) return BAIL;
            } else if (parse_endpoint(p, &r.service, &r.address, &port)) {
                return BAIL;
            }
        } else if (IS(k, kn, "remoteEndpoint")) {
            ONCE(seen, Z_REMOTE);
            int64_t port;
            if (peek(p) == 'n') {
                if (literal(p, "null")) return BAIL;
            } else {
                r.remote = p->p;
                if (parse_endpoint(p, NULL, NULL, &port)) return BAIL;
            }
        } else if (IS(k, kn, "tags")) {
            ONCE(seen, Z_TAGS);
            skip_ws(p);
            r.tags = p->p;
            if (parse_text_tags(p, NULL)) return BAIL;
        } else if (IS(k, kn, "annotations")) {
            ONCE(seen, Z_ANNOTATIONS);
            skip_ws(p);
            r.logs = p->p;
            int count = parse_annotations(p, NULL);
            if (count < 0) return BAIL;
            if (!count) r.logs = NULL;
        } else if (IS(k, kn, "shared")) {
            ONCE(seen, Z_SHARED);
            if (peek(p) == 't') {
                if (literal(p, "true")) return BAIL;
                r.shared = 1;
            } else if (literal(p, "false")) {
                return BAIL;
            }
        } else if (IS(k, kn, "binaryAnnotations")) {
            return BAIL; /* Zipkin v1 */
        } else if (skip_value(p, 1)) {
            return BAIL;
        }
        more = next_member(p, '}');
    }
    if (more < 0 || (seen & (Z_TRACE | Z_ID | Z_TIMESTAMP | Z_DURATION))
                        != (Z_TRACE | Z_ID | Z_TIMESTAMP | Z_DURATION) || !r.start)
        return BAIL; /* no time, or none known: the general path's repairs */
    r.kind_object = kind_name ? PyDict_GetItemWithError(ZipkinKinds, kind_name) : Unspecified;
    if (!r.kind_object) return BAIL; /* a spelling the general path reads */
    return add_record(p, &r);
}

/* A list of spans ([{...}]), or of traces ([[{...}]]: `nested`). */
static int parse_zipkin_document(Parser *p, Doc *doc, int nested) {
    int more = open_container(p, '[', ']'), count = 0;
    while (more > 0) {
        if (nested) {
            int spans = open_container(p, '[', ']');
            while (spans > 0) {
                if (parse_zipkin_span(p, doc)) return BAIL;
                count++;
                spans = next_member(p, ']');
            }
            if (spans < 0) return BAIL;
        } else {
            if (parse_zipkin_span(p, doc)) return BAIL;
            count++;
        }
        more = next_member(p, ']');
    }
    return more == 0 && count ? 0 : BAIL; /* nothing to read: the tolerant reader says why */
}

static PyObject *build_zipkin_span(Parser *p, const Rec *r, Ids *ids, PyObject *traces,
                                   PyObject *resources) {
    PyObject *span_id = id_text(ids, r->id);
    PyObject *parent = r->has_parent ? id_text(ids, r->parent) : Py_None;
    if (!span_id || !parent) return NULL;
    PyObject *attributes = PyDict_New(), *status = NULL, *start = NULL, *duration = NULL;
    PyObject *span = NULL, *events = NULL, *resource = NULL, *remote_service, *remote_address;
    PyObject *port = NULL, *done_call = NULL;
    if (!attributes) return NULL;
    if (r->tags) {
        p->p = r->tags;
        if (parse_text_tags(p, attributes)) goto done;
    }
    if (r->remote) {
        int64_t port_number = 0;
        p->p = r->remote;
        if (parse_endpoint(p, &remote_service, &remote_address, &port_number)
            || !(port = PyLong_FromLongLong(port_number))
            || !(done_call = PyObject_CallFunctionObjArgs(RemoteAttributes, remote_service,
                                                          remote_address, port, attributes, NULL)))
            goto done;
    }
    if (has_key(attributes, KeyError) || has_key(attributes, KeyStatusCode)) {
        status = PyObject_CallOneArg(ZipkinStatus, attributes);
        if (!status || !PyTuple_CheckExact(status) || PyTuple_GET_SIZE(status) != 2) goto done;
    } else if (PyErr_Occurred()) {
        goto done;
    }
    if (r->logs) {
        PyObject *found = PyList_New(0);
        p->p = r->logs;
        if (found && parse_annotations(p, found) >= 0) events = PyList_AsTuple(found);
        Py_XDECREF(found);
        if (!events) goto done;
    }
    resource = PyObject_CallFunctionObjArgs(ResourceOf, r->service, r->address, resources, NULL);
    if (!resource || !(start = PyLong_FromLongLong(r->start))
        || !(duration = PyLong_FromLongLong(r->duration)))
        goto done;
    PyObject *args[16] = {
        PyList_GET_ITEM(traces, r->rank), span_id, parent, r->service, r->name,
        r->kind_object, start, duration,
        status ? PyTuple_GET_ITEM(status, 0) : StatusUnset,
        status ? PyTuple_GET_ITEM(status, 1) : EmptyText,
        attributes, resource, events ? events : EmptyTuple, EmptyTuple, ChildOf,
        r->shared ? Py_True : Py_False,
    };
    span = PyObject_Vectorcall(SpanType, args, 16, NULL);
done:
    Py_DECREF(attributes);
    Py_XDECREF(events);
    Py_XDECREF(status);
    Py_XDECREF(resource);
    Py_XDECREF(start);
    Py_XDECREF(duration);
    Py_XDECREF(port);
    Py_XDECREF(done_call);
    return span;
}

static PyObject *read_zipkin(PyObject *module, PyObject *args) {
    const char *data;
    Py_ssize_t size;
    int nested;
    if (!ZipkinKinds || !PyArg_ParseTuple(args, "y#p", &data, &size, &nested)) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    PyObject *resources = PyDict_New(); /* by (service, address), as resource_of caches them */
    if (!resources) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    PyObject *spans = read_document(data, size, parse_zipkin_document, nested, build_zipkin_span,
                                    resources);
    Py_DECREF(resources);
    return spans;
}

static PyObject *configure_zipkin(PyObject *module, PyObject *args) {
    PyObject *kinds, *trace_key, *status, *remote, *resource_of, *annotation_event;
    if (!PyArg_ParseTuple(args, "O!OOOOO", &PyDict_Type, &kinds, &trace_key, &status, &remote,
                          &resource_of, &annotation_event))
        return NULL;
    Py_XSETREF(HexTraceKey, Py_NewRef(trace_key));
    Py_XSETREF(ZipkinKinds, Py_NewRef(kinds));
    Py_XSETREF(ZipkinStatus, Py_NewRef(status));
    Py_XSETREF(RemoteAttributes, Py_NewRef(remote));
    Py_XSETREF(ResourceOf, Py_NewRef(resource_of));
    Py_XSETREF(AnnotationEvent, Py_NewRef(annotation_event));
    Py_RETURN_NONE;
}
